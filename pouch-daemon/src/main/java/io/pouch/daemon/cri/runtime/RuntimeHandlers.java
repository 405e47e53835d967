package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;

/**
 * Kubernetes RuntimeClass handlers as the engine's OCI runtimes: "" is the engine's default, "runc" and "crun"
 * name themselves. Anything else is refused: a pod that asked for a sandboxed runtime must not silently get runc.
 */
final class RuntimeHandlers {
    private RuntimeHandlers() {
    }

    /** The engine runtime for {@code handler}; null for the engine's default. */
    static String runtime(String handler) {
        if (handler == null || handler.isEmpty()) {
            return null;
        }
        if (handler.equals("runc") || handler.equals("crun")) {
            return handler;
        }
        throw PouchException.invalidArgument("no runtime for \"" + handler + "\" is configured (runtime handlers"
                + " here: runc, crun)");
    }

    static String handler(String runtime) {
        return runtime == null ? "" : runtime;
    }
}
