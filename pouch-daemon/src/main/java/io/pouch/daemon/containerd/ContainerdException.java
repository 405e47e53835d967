package io.pouch.daemon.containerd;

import io.grpc.StatusRuntimeException;
import io.pouch.api.PouchException;

/**
 * A failed containerd call, with containerd's status code as a value of the project's own, so that callers outside
 * this package decide on "not found", "already exists" and the rest without seeing gRPC.
 */
public final class ContainerdException extends RuntimeException {
    /** The gRPC codes containerd answers with that callers tell apart; everything else is {@link #OTHER}. */
    public enum Code {
        NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, INVALID_ARGUMENT, OUT_OF_RANGE, UNAVAILABLE,
        DEADLINE_EXCEEDED, CANCELLED, UNIMPLEMENTED, OTHER
    }

    private final Code code;
    private final String description;

    public ContainerdException(Code code, String description, Throwable cause) {
        super(code + ": " + description, cause);
        this.code = code;
        this.description = description;
    }

    static ContainerdException of(StatusRuntimeException e) {
        String name = e.getStatus().getCode().name();
        Code code;
        try {
            code = Code.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            code = Code.OTHER;
        }
        String d = e.getStatus().getDescription();
        return new ContainerdException(code, d == null ? name : d, e);
    }

    public Code code() {
        return code;
    }

    /** containerd's own words (the status description), or the code's name when it gave none. */
    public String description() {
        return description;
    }

    public boolean isNotFound() {
        return code == Code.NOT_FOUND;
    }

    public boolean isAlreadyExists() {
        return code == Code.ALREADY_EXISTS;
    }

    /** The same failure as the Engine API reports it, prefixed with what was being done. */
    public PouchException toPouch(String what) {
        return switch (code) {
            case NOT_FOUND -> PouchException.notFound(what + ": " + description);
            case ALREADY_EXISTS, FAILED_PRECONDITION -> PouchException.conflict(what + ": " + description);
            case INVALID_ARGUMENT -> PouchException.invalidArgument(what + ": " + description);
            case UNAVAILABLE -> PouchException.internal(what + ": containerd is not reachable (" + description + ")", this);
            default -> PouchException.internal(what + ": " + description, this);
        };
    }
}
