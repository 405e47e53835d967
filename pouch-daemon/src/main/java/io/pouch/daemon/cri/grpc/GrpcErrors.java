package io.pouch.daemon.cri.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.api.PouchException;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The engine's errors as gRPC statuses: a CRI client (kubelet, crictl) acts on the code, a person reads the
 * message. An unexpected exception becomes Internal with its message, logged here with its stack, which never
 * goes on the wire.
 */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {
    }

    public static StatusRuntimeException of(Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof PouchException p) {
            return status(p.status()).withDescription(p.getMessage()).asRuntimeException();
        }
        LOG.log(Level.WARNING, "CRI call failed", e);
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Status.INTERNAL.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException invalidArgument(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    public static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    /** Whether {@code e} says the object does not exist (stop and remove treat that as done). */
    public static boolean isNotFound(Throwable e) {
        return (e instanceof PouchException p && p.status() == 404)
                || (e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND);
    }

    private static Status status(int http) {
        return switch (http) {
            case 400 -> Status.INVALID_ARGUMENT;
            case 403 -> Status.PERMISSION_DENIED;
            case 404 -> Status.NOT_FOUND;
            case 409 -> Status.FAILED_PRECONDITION;
            case 304 -> Status.ALREADY_EXISTS;
            case 401 -> Status.UNAUTHENTICATED;
            case 503 -> Status.UNAVAILABLE;
            default -> Status.INTERNAL;
        };
    }
}
