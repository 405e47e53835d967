package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.cri.grpc.GrpcErrors;

import java.util.function.Predicate;

/** Ids kubelet sends, resolved as the engine resolves references (full id or unique prefix) to CRI objects. */
final class CriRefs {
    private CriRefs() {
    }

    /**
     * The full id of the object {@code ref} names when it is one of {@code ours} (a CRI sandbox, or a CRI container),
     * else null; an empty ref is a 400 naming {@code what}.
     */
    static String resolveOrNull(ContainerService engine, String ref, String what, Predicate<String> ours) {
        if (ref == null || ref.isEmpty()) {
            throw PouchException.invalidArgument("a " + what + " id is required");
        }
        try {
            String id = engine.resolveId(ref);
            return ours.test(id) ? id : null;
        } catch (PouchException e) {
            if (GrpcErrors.isNotFound(e)) {
                return null;
            }
            throw e;
        }
    }

    /** As {@link #resolveOrNull}, a 404 naming {@code what} when there is no such object. */
    static String resolve(ContainerService engine, String ref, String what, Predicate<String> ours) {
        String id = resolveOrNull(engine, ref, what, ours);
        if (id == null) {
            throw PouchException.notFound(what + " " + ref + " not found");
        }
        return id;
    }

    /**
     * Runs a stop or remove of the engine's for kubelet, to whom an object already gone (404) or already stopped
     * (304) is done, not an error.
     */
    static void untilGone(Runnable call) {
        try {
            call.run();
        } catch (PouchException e) {
            if (!GrpcErrors.isNotFound(e) && e.status() != 304) {
                throw e;
            }
        }
    }
}
