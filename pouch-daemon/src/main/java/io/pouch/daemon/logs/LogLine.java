package io.pouch.daemon.logs;

import java.time.Instant;
import java.util.Map;

/**
 * One json-file entry as read back: {@code log} is the raw bytes, normally ending with '\n' (a partial entry
 * does not).
 *
 * @param stream 1 = stdout, 2 = stderr
 * @param attrs  the entry's extra attributes (docker's {@code attrs}: labels and env named by log options)
 */
public record LogLine(int stream, Instant time, byte[] log, Map<String, String> attrs) {
    public LogLine(int stream, Instant time, byte[] log) {
        this(stream, time, log, Map.of());
    }
}
