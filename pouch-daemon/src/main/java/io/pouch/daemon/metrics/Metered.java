package io.pouch.daemon.metrics;

import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.image.PullService;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * The services as the API routes see them, with Pouch's per-action counters and timers around the calls Pouch
 * counted (its API bridge did, so the CRI's calls are not counted here either). A proxy rather than edits in each
 * service method: the services stay as they are, and a method added to an interface later passes through uncounted
 * instead of breaking the build.
 */
public final class Metered {
    /** ContainerService methods and the action label Pouch gave them ({@code remove} is its "delete"). */
    static final Map<String, String> CONTAINER_ACTIONS = Map.ofEntries(Map.entry("create", "create"),
            Map.entry("start", "start"), Map.entry("stop", "stop"), Map.entry("restart", "restart"),
            Map.entry("kill", "kill"), Map.entry("pause", "pause"), Map.entry("unpause", "unpause"),
            Map.entry("rename", "rename"), Map.entry("update", "update"), Map.entry("upgrade", "upgrade"),
            Map.entry("remove", "delete"));

    private Metered() {
    }

    public static ContainerService containers(ContainerService target, Metrics metrics) {
        return proxy(ContainerService.class, target, (name, args, start, ok) -> {
            String action = CONTAINER_ACTIONS.get(name);
            if (action != null) {
                metrics.containerAction(action, start, ok);
            }
        });
    }

    public static ImageService images(ImageService target, Metrics metrics) {
        return proxy(ImageService.class, target, (name, args, start, ok) -> {
            if (name.equals("delete")) {
                metrics.imageAction("delete", start, ok);
            }
        });
    }

    /**
     * Pulls are counted and timed per image pulled (a resolve that fails counts as a failed pull), and their
     * latency goes to the summary in microseconds, labelled with the image, as Pouch's.
     */
    public static PullService puller(PullService target, Metrics metrics) {
        return proxy(PullService.class, target, (method, args, start, ok) -> {
            if (method.equals("pull") && args.length == 2 && args[0] instanceof PullService.Plan plan) {
                metrics.imageAction("pull", start, ok);
                metrics.imagePullLatency.observe((System.nanoTime() - start) / 1e3, plan.ref().familiar());
            } else if (method.equals("resolve") && !ok) {
                metrics.imageAction("pull", start, false);
            }
        });
    }

    @FunctionalInterface
    private interface Recorder {
        void record(String method, Object[] args, long startNanos, boolean success);
    }

    private static <T> T proxy(Class<T> type, T target, Recorder recorder) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return invoke(target, method, args);
            }
            long start = System.nanoTime();
            boolean ok = false;
            try {
                Object result = invoke(target, method, args);
                ok = true;
                return result;
            } finally {
                recorder.record(method.getName(), args == null ? new Object[0] : args, start, ok);
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, h));
    }

    /** Calls through, rethrowing what the service threw as it was (not wrapped). */
    private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
