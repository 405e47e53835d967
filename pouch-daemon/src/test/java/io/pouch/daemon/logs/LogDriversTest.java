package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogDriversTest {
    private static final LogDrivers.Subject SUBJECT = new LogDrivers.Subject("c".repeat(64), "web",
            "sha256:" + "1".repeat(64), "busybox", Map.of("team", "a"), List.of("A=1"));

    @TempDir
    Path dir;

    private static HostConfig.LogConfig lc(String type, Map<String, String> opts) {
        return new HostConfig.LogConfig(type, opts);
    }

    @Test
    void theContainersDriverOrTheDaemonsDefault() {
        LogDrivers d = new LogDrivers("syslog", Map.of());
        assertEquals("syslog", d.driverOf(null));
        assertEquals("syslog", d.driverOf(lc(null, Map.of())));
        assertEquals("none", d.driverOf(lc("none", Map.of())));
    }

    @Test
    void validateRefusesUnknownDriversAndOptions() {
        LogDrivers d = new LogDrivers("json-file", Map.of());
        d.validate(lc(null, Map.of("max-size", "1m", "max-file", "2")));
        d.validate(lc("none", Map.of("anything", "goes")));
        PouchException unknown = assertThrows(PouchException.class, () -> d.validate(lc("gelf", Map.of())));
        assertEquals(400, unknown.status());
        assertEquals("logger: no log driver named 'gelf' is registered", unknown.getMessage());
        assertEquals("unknown log opt 'colour' for json-file log driver", assertThrows(PouchException.class,
                () -> d.validate(lc("json-file", Map.of("colour", "red")))).getMessage());
        assertEquals("unknown log opt 'max-size' for syslog log driver", assertThrows(PouchException.class,
                () -> d.validate(lc("syslog", Map.of("max-size", "1m")))).getMessage());
    }

    @Test
    void theDaemonsOptionsApplyUnderTheContainers() {
        LogDrivers d = new LogDrivers("json-file", Map.of("max-file", "0"));
        assertThrows(PouchException.class, () -> d.validate(lc(null, Map.of())));
        d.validate(lc(null, Map.of("max-file", "3")));
    }

    @Test
    void readableUnlessNothingIsKept() {
        LogDrivers d = new LogDrivers("json-file", Map.of());
        assertTrue(d.readable(lc(null, Map.of())));
        assertFalse(d.readable(lc("none", Map.of())));
        assertTrue(d.readable(lc("syslog", Map.of())));
        assertFalse(d.readable(lc("syslog", Map.of("cache-disabled", "true"))));
        LogDrivers cacheOff = new LogDrivers("syslog", Map.of("cache-disabled", "true"));
        assertFalse(cacheOff.readable(lc(null, Map.of())));
        assertTrue(cacheOff.readable(lc(null, Map.of("cache-disabled", "false"))), "the container's option wins");
    }

    @Test
    void opensTheSinkOfTheChosenDriver() throws Exception {
        LogDrivers d = new LogDrivers("json-file", Map.of());
        Path file = dir.resolve("c-json.log");
        assertSame(LogSink.NONE, d.open(lc("none", Map.of()), file, SUBJECT));
        LogSink sink = d.open(lc(null, Map.of("labels", "team")), file, SUBJECT);
        assertInstanceOf(JsonFileLog.class, sink);
        JsonFileLogTest.write(sink, 1, "hello\n");
        sink.close();
        String line = Files.readString(file);
        assertTrue(line.contains("\"log\":\"hello\\n\""), line);
        assertTrue(line.contains("\"attrs\":{\"team\":\"a\"}"), line);
    }
}
