package io.pouch.daemon.container.io;

import java.time.Instant;

/**
 * One json-file entry as read back: {@code log} is the raw bytes, normally ending with '\n' (a partial entry
 * does not).
 *
 * @param stream 1 = stdout, 2 = stderr
 */
public record LogLine(int stream, Instant time, byte[] log) {
}
