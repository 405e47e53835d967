package io.pouch.daemon.boot;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogLineFormatterTest {
    private final LogLineFormatter f = new LogLineFormatter();

    private static LogRecord record(Level level, String message, String instant) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("io.pouch.daemon.api.HttpServer");
        r.setInstant(Instant.parse(instant));
        return r;
    }

    @Test
    void timeLevelLoggerAndMessageAsSimpleFormatterPrintedThem() {
        assertEquals("2026-12-07T22:06:45.730Z INFO io.pouch.daemon.api.HttpServer: API listening"
                        + System.lineSeparator(),
                f.format(record(Level.INFO, "API listening", "2026-12-07T22:06:45.730123Z")));
        // padded fields, a year's first millisecond
        assertEquals("0999-01-02T03:04:05.006Z WARNING io.pouch.daemon.api.HttpServer: x" + System.lineSeparator(),
                f.format(record(Level.WARNING, "x", "0999-01-02T03:04:05.006Z")));
    }

    @Test
    void parametersAreFilledInAndAThrownExceptionFollowsOnItsOwnLines() {
        LogRecord r = record(Level.SEVERE, "cannot reach {0}", "2026-12-07T00:00:00Z");
        r.setParameters(new Object[]{"containerd"});
        r.setThrown(new IllegalStateException("boom"));
        String line = f.format(r);
        assertTrue(line.startsWith("2026-12-07T00:00:00.000Z SEVERE io.pouch.daemon.api.HttpServer: cannot reach"
                + " containerd" + System.lineSeparator() + "java.lang.IllegalStateException: boom"), line);
        assertTrue(line.contains("\tat io.pouch.daemon.boot.LogLineFormatterTest."), line);
        assertTrue(line.endsWith(System.lineSeparator()), line);
    }
}
