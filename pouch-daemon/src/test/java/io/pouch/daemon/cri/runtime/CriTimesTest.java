package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CriTimesTest {
    @Test
    void rfc3339WithNanosecondsIsNanosecondsSinceTheEpoch() {
        assertEquals(1_700_000_000_123_456_789L, CriTimes.nanos("2023-11-14T22:13:20.123456789Z"));
        assertEquals(1_700_000_000_000_000_000L, CriTimes.nanos("2023-11-14T22:13:20Z"));
        assertEquals(1_700_000_000_500_000_000L, CriTimes.nanos("2023-11-15T00:13:20.5+02:00"));
        assertEquals(1_000_000_001L, CriTimes.nanos("1970-01-01T00:00:01.000000001Z"));
    }

    @Test
    void goZeroTimeNothingAndGarbageAreZero() {
        assertEquals(0, CriTimes.nanos("0001-01-01T00:00:00Z"));
        assertEquals(0, CriTimes.nanos(""));
        assertEquals(0, CriTimes.nanos(null));
        assertEquals(0, CriTimes.nanos("yesterday"));
        assertEquals(0, CriTimes.nanos("2023-13-40T99:00:00Z"));
    }

    @Test
    void nowIsNanosecondsToo() {
        long before = System.currentTimeMillis() * 1_000_000L;
        long now = CriTimes.now();
        long after = (System.currentTimeMillis() + 1) * 1_000_000L;
        assertTrue(now >= before && now <= after, before + " <= " + now + " <= " + after);
    }
}
