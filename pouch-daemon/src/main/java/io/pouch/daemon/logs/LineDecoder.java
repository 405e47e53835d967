package io.pouch.daemon.logs;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@link JsonFileLogReader} turns the lines of a log file into entries: the format of the file. One instance
 * serves one read, so it may hold the pieces of a line that the file splits over several lines.
 */
interface LineDecoder {
    /**
     * One line of the file, without its {@code '\n'}.
     *
     * @return the entry it makes or completes; null for a torn line (skipped) or a piece held for the rest
     */
    LogLine decode(byte[] a, int off, int len);

    /** What is still held when the read ends: the pieces of a line whose end never came. */
    default List<LogLine> rest() {
        return List.of();
    }

    /** The files of the log at {@code file}, oldest first (rotated ones the writer made, then the file itself). */
    default List<Path> files(Path file) {
        return JsonFileLog.files(file);
    }
}
