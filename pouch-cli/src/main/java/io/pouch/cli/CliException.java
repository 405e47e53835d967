package io.pouch.cli;

/** A failure found by the CLI itself (bad flag value, refusing to write a tarball to a terminal, ...). */
public class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) {
        this(message, -1);
    }

    /** {@code exitCode} -1 means the command's usual error code. */
    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
