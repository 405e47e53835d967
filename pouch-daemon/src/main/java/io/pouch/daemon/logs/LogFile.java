package io.pouch.daemon.logs;

import java.nio.file.Path;

/** The file a container's log is read back from, and the format it is written in. */
public record LogFile(Path path, Format format) {
    public enum Format {
        /** Docker's json-file (also syslog's local copy): read by {@link JsonFileLogReader}. */
        JSON_FILE,
        /** The Kubernetes CRI format: read by {@link CriFileLogReader}. */
        CRI
    }

    public static LogFile jsonFile(Path path) {
        return new LogFile(path, Format.JSON_FILE);
    }
}
