package io.pouch.daemon.cri.runtime;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.pouch.cri.v1.ContainerEventResponse;
import io.pouch.cri.v1.ContainerEventType;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * GetContainerEvents: the engine's container events (create, start, die, destroy) of CRI containers as kubelet's
 * evented PLEG reads them, with the pod's status attached where it still exists. Each stream gets its own ordered
 * sender so a slow client delays only itself.
 */
final class ContainerEventFeed {
    private static final Logger LOG = Logger.getLogger(ContainerEventFeed.class.getName());
    private static final Map<String, ContainerEventType> TYPES = Map.of(
            "create", ContainerEventType.CONTAINER_CREATED_EVENT,
            "start", ContainerEventType.CONTAINER_STARTED_EVENT,
            "die", ContainerEventType.CONTAINER_STOPPED_EVENT,
            "destroy", ContainerEventType.CONTAINER_DELETED_EVENT);

    private final EventBus bus;
    private final PodSandboxes sandboxes;
    private final PodContainers containers;

    ContainerEventFeed(EventBus bus, PodSandboxes sandboxes, PodContainers containers) {
        this.bus = bus;
        this.sandboxes = sandboxes;
        this.containers = containers;
    }

    void stream(StreamObserver<ContainerEventResponse> out) {
        ExecutorService sender = Executors.newSingleThreadExecutor(Thread.ofVirtual().factory());
        // the bus delivers under its lock: only the cheap filter runs there, the statuses are read on the sender
        EventBus.Subscription sub = bus.subscribe(e -> {
            if (relevant(e)) {
                sender.execute(() -> send(out, translate(e)));
            }
        });
        if (out instanceof ServerCallStreamObserver<ContainerEventResponse> server) {
            server.setOnCancelHandler(() -> {
                sub.close();
                sender.shutdownNow();
            });
        }
    }

    private static void send(StreamObserver<ContainerEventResponse> out, ContainerEventResponse r) {
        try {
            out.onNext(r);
        } catch (RuntimeException ex) {
            LOG.log(Level.FINE, "a container event stream ended", ex);
        }
    }

    private static boolean relevant(Event e) {
        return "container".equals(e.type()) && e.actor() != null && e.actor().attributes() != null
                && TYPES.containsKey(e.action())
                && CriLabels.CONTAINER.equals(e.actor().attributes().get(CriLabels.TYPE));
    }

    private ContainerEventResponse translate(Event e) {
        ContainerEventType type = TYPES.get(e.action());
        Map<String, String> attrs = e.actor().attributes();
        ContainerEventResponse.Builder b = ContainerEventResponse.newBuilder()
                .setContainerId(e.actor().id())
                .setContainerEventType(type)
                .setCreatedAt(e.timeNano());
        String sandboxId = attrs.get(CriLabels.SANDBOX_ID);
        try {
            if (sandboxId != null && sandboxes.resolveOrNull(sandboxId) != null) {
                b.setPodSandboxStatus(sandboxes.status(sandboxId));
                for (String c : containers.idsOfSandbox(sandboxId)) {
                    b.addContainersStatuses(containers.status(c));
                }
            }
        } catch (RuntimeException ex) {
            LOG.log(Level.FINE, "no status for the event of " + e.actor().id(), ex);
        }
        return b.build();
    }
}
