package io.pouch.daemon.containerd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.function.Supplier;

/** Runs one gRPC call and turns its failure status into a {@link ContainerdException}. */
final class Calls {
    private Calls() {
    }

    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw ContainerdException.of(e);
        }
    }

    static void run(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            throw ContainerdException.of(e);
        }
    }

    /** For cleanup: something already gone is what the caller wanted. */
    static void ignoreNotFound(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw ContainerdException.of(e);
            }
        }
    }
}
