package io.pouch.cli.format;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UnitsTest {
    @Test
    void humanDurationMatchesGoUnits() {
        assertEquals("Less than a second", Units.humanDuration(Duration.ofMillis(300)));
        assertEquals("1 second", Units.humanDuration(Duration.ofSeconds(1)));
        assertEquals("3 seconds", Units.humanDuration(Duration.ofSeconds(3)));
        assertEquals("About a minute", Units.humanDuration(Duration.ofSeconds(90)));
        assertEquals("2 minutes", Units.humanDuration(Duration.ofMinutes(2)));
        assertEquals("59 minutes", Units.humanDuration(Duration.ofMinutes(59)));
        assertEquals("About an hour", Units.humanDuration(Duration.ofMinutes(80)));
        assertEquals("2 hours", Units.humanDuration(Duration.ofMinutes(100)));
        assertEquals("47 hours", Units.humanDuration(Duration.ofHours(47)));
        assertEquals("2 days", Units.humanDuration(Duration.ofHours(48)));
        assertEquals("2 weeks", Units.humanDuration(Duration.ofDays(14)));
        assertEquals("3 months", Units.humanDuration(Duration.ofDays(95)));
        assertEquals("2 years", Units.humanDuration(Duration.ofDays(800)));
    }

    @Test
    void humanSizeIsDecimalWithThreeDigits() {
        assertEquals("0B", Units.humanSize(0));
        assertEquals("999B", Units.humanSize(999));
        assertEquals("1kB", Units.humanSize(1000));
        assertEquals("1.5kB", Units.humanSize(1500));
        assertEquals("4.26MB", Units.humanSize(4_260_000));
        assertEquals("1.98MB", Units.humanSize(1_982_464));
        assertEquals("123MB", Units.humanSize(123_456_789));
        assertEquals("7.63GiB", Units.bytesSize(8_192_000_000L));
    }

    @Test
    void ramInBytesIsBinary() {
        assertEquals(512L << 20, Units.ramInBytes("512m"));
        assertEquals(1L << 30, Units.ramInBytes("1g"));
        assertEquals(1L << 30, Units.ramInBytes("1GB"));
        assertEquals((long) (1.5 * (1L << 30)), Units.ramInBytes("1.5g"));
        assertEquals(1024, Units.ramInBytes("1024"));
        assertEquals(4096, Units.ramInBytes("4k"));
        assertThrows(IllegalArgumentException.class, () -> Units.ramInBytes("lots"));
        assertThrows(IllegalArgumentException.class, () -> Units.ramInBytes("-1m"));
    }

    @Test
    void ellipsisAndShortIds() {
        assertEquals("sh -c 'while true; …", Units.ellipsis("sh -c 'while true; do sleep 1; done'", 20));
        assertEquals("short", Units.ellipsis("short", 20));
        assertEquals("c56bd614f026", Units.shortId("sha256:c56bd614f026178b9863176d95a7d4d2a30ef1e206a7440a55adff5635a40ac9"));
    }

    @Test
    void tableAlignsLikeTabwriter() {
        assertEquals("IMAGE     NAMES\nbusybox   a\n", Table.align("IMAGE\tNAMES\nbusybox\ta\n"));
        assertEquals("a         b         c\n", Table.align("a\tb\tc\n"));
    }
}
