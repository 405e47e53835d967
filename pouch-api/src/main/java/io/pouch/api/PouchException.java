package io.pouch.api;

/**
 * The one error type of the engine. Its HTTP status is what the API answers; its message is what a person
 * reads (the docker CLI prints it as is), so it must say what went wrong and, where possible, what to do.
 */
public class PouchException extends RuntimeException {
    private final int status;

    public PouchException(int status, String message) {
        super(message);
        this.status = status;
    }

    public PouchException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static PouchException invalidArgument(String message) {
        return new PouchException(400, message);
    }

    public static PouchException forbidden(String message) {
        return new PouchException(403, message);
    }

    public static PouchException notFound(String message) {
        return new PouchException(404, message);
    }

    public static PouchException conflict(String message) {
        return new PouchException(409, message);
    }

    public static PouchException notModified(String message) {
        return new PouchException(304, message);
    }

    public static PouchException internal(String message, Throwable cause) {
        return new PouchException(500, message, cause);
    }
}
