package io.pouch.daemon.container;

import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.TaskEvent;
import io.pouch.daemon.containerd.TaskEventStream;

import java.time.Instant;
import java.util.function.Consumer;

/**
 * The container manager's view of containerd's task events ({@link TaskEventStream}): exits of any process of a
 * task, OOM kills by container id, and a hook run after the stream was re-established (containerd restarted).
 */
final class TaskEvents implements AutoCloseable {
    interface ExitListener {
        void onExit(String containerId, String processId, int pid, int status, Instant exitedAt);
    }

    private final TaskEventStream stream;

    TaskEvents(Containerd ctd, ExitListener onExit, Consumer<String> onOom, Runnable afterResubscribe) {
        this.stream = new TaskEventStream(ctd, event -> {
            switch (event) {
                case TaskEvent.Exit x -> onExit.onExit(x.containerId(), x.processId(), x.pid(), x.exitStatus(),
                        x.exitedAt());
                case TaskEvent.Oom o -> onOom.accept(o.containerId());
            }
        }, afterResubscribe);
    }

    void start() {
        stream.start();
    }

    @Override
    public void close() {
        stream.close();
    }
}
