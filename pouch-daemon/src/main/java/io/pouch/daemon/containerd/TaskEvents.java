package io.pouch.daemon.containerd;

import com.google.protobuf.InvalidProtocolBufferException;
import containerd.events.Task;
import containerd.services.events.v1.EventsOuterClass;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;

import java.time.Instant;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * containerd's task event stream for our namespace ({@code /tasks/exit}, {@code /tasks/oom}). Exits are pushed,
 * never polled. When the stream breaks (containerd restarted) it resubscribes with back-off and then runs
 * {@code afterResubscribe}, so exits that happened while it was down are still noticed.
 */
public final class TaskEvents implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TaskEvents.class.getName());

    /** An exit: of a container's main process when {@code processId} equals {@code containerId}, else of an exec. */
    public interface ExitListener {
        void onExit(String containerId, String processId, int pid, int status, Instant exitedAt);
    }

    private final Containerd ctd;
    private final ExitListener onExit;
    private final Consumer<String> onOom;
    private final Runnable afterResubscribe;
    private volatile boolean closed;
    private volatile Context.CancellableContext current;

    public TaskEvents(Containerd ctd, ExitListener onExit, Consumer<String> onOom, Runnable afterResubscribe) {
        this.ctd = ctd;
        this.onExit = onExit;
        this.onOom = onOom;
        this.afterResubscribe = afterResubscribe;
    }

    public void start() {
        subscribe(false);
    }

    private void subscribe(boolean again) {
        if (closed) {
            return;
        }
        String ns = "namespace==" + ctd.namespace();
        EventsOuterClass.SubscribeRequest req = EventsOuterClass.SubscribeRequest.newBuilder()
                .addFilters(ns + ",topic==\"/tasks/exit\"")
                .addFilters(ns + ",topic==\"/tasks/oom\"")
                .build();
        Context.CancellableContext ctx = Context.current().withCancellation();
        current = ctx;
        ctx.run(() -> ctd.eventsAsync().subscribe(req, new StreamObserver<>() {
            @Override
            public void onNext(EventsOuterClass.Envelope env) {
                dispatch(env);
            }

            @Override
            public void onError(Throwable t) {
                if (!closed) {
                    LOG.warning("containerd event stream broke (" + t.getMessage() + "); resubscribing");
                    retry();
                }
            }

            @Override
            public void onCompleted() {
                if (!closed) {
                    retry();
                }
            }
        }));
        if (again) {
            // the stream is being set up; anything that exited meanwhile is found by asking for task states
            Thread.ofVirtual().start(afterResubscribe);
        }
    }

    private void retry() {
        Thread.ofVirtual().name("containerd-events-retry").start(() -> {
            long backoff = 200;
            while (!closed) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                if (ctd.ping(2000)) {
                    subscribe(true);
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        });
    }

    private void dispatch(EventsOuterClass.Envelope env) {
        try {
            switch (env.getTopic()) {
                case "/tasks/exit" -> {
                    Task.TaskExit e = Task.TaskExit.parseFrom(env.getEvent().getValue());
                    Instant at = e.hasExitedAt()
                            ? Instant.ofEpochSecond(e.getExitedAt().getSeconds(), e.getExitedAt().getNanos())
                            : Instant.now();
                    onExit.onExit(e.getContainerId(), e.getId(), e.getPid(), e.getExitStatus(), at);
                }
                case "/tasks/oom" -> onOom.accept(Task.TaskOOM.parseFrom(env.getEvent().getValue()).getContainerId());
                default -> {
                    // filtered out by the subscription
                }
            }
        } catch (InvalidProtocolBufferException e) {
            LOG.warning("undecodable containerd event on " + env.getTopic() + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        Context.CancellableContext c = current;
        if (c != null) {
            c.cancel(null);
        }
    }
}
