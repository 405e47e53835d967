package io.pouch.daemon.cri.image;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One unary call of a service method, as a gRPC server runs it: one answer and completion, or one error. */
final class Calls {
    private Calls() {
    }

    private static final class Recorder<T> implements StreamObserver<T> {
        T value;
        Throwable error;
        int nexts;
        boolean completed;

        @Override
        public void onNext(T v) {
            value = v;
            nexts++;
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }
    }

    static <Q, A> A ok(BiConsumer<Q, StreamObserver<A>> method, Q request) {
        Recorder<A> r = new Recorder<>();
        method.accept(request, r);
        assertNull(r.error, () -> "unexpected error " + r.error);
        assertEquals(1, r.nexts);
        assertTrue(r.completed);
        return r.value;
    }

    static <Q, A> Status failed(BiConsumer<Q, StreamObserver<A>> method, Q request) {
        Recorder<A> r = new Recorder<>();
        method.accept(request, r);
        assertNotNull(r.error, "an error was expected");
        assertEquals(0, r.nexts);
        StatusRuntimeException s = assertInstanceOf(StatusRuntimeException.class, r.error);
        return s.getStatus();
    }
}
