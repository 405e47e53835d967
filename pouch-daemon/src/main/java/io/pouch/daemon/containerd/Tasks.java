package io.pouch.daemon.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import containerd.services.tasks.v1.TasksOuterClass;

import java.util.List;
import java.util.Optional;

/** containerd's tasks: a container's running init process, its signals, pause, resize and cgroup updates. */
public final class Tasks {
    static final String RESOURCES_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    private final Containerd ctd;

    public Tasks(Containerd ctd) {
        this.ctd = ctd;
    }

    /** Creates the task of container {@code id} on {@code rootfs}, with its stdio on these FIFOs; the pid. */
    public int create(String id, List<Mount> rootfs, String stdin, String stdout, String stderr, boolean terminal) {
        return Calls.call(() -> ctd.tasks().create(TasksOuterClass.CreateTaskRequest.newBuilder()
                .setContainerId(id)
                .addAllRootfs(Mount.toProto(rootfs))
                .setStdin(stdin == null ? "" : stdin)
                .setStdout(stdout == null ? "" : stdout)
                .setStderr(stderr == null ? "" : stderr)
                .setTerminal(terminal)
                .build()).getPid());
    }

    public int start(String id) {
        return Calls.call(() -> ctd.tasks().start(TasksOuterClass.StartRequest.newBuilder().setContainerId(id).build())
                .getPid());
    }

    /** Deletes the (stopped) task; its exit, or empty when there was no task. */
    public Optional<TaskExit> delete(String id) {
        try {
            TasksOuterClass.DeleteResponse r = Calls.call(() -> ctd.tasks().delete(TasksOuterClass.DeleteTaskRequest
                    .newBuilder().setContainerId(id).build()));
            return Optional.of(new TaskExit(r.getPid(), r.getExitStatus(), TaskProcess.instant(r.getExitedAt())));
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The task's init process, or empty when the container has no task. */
    public Optional<TaskProcess> get(String id) {
        try {
            return Optional.of(TaskProcess.of(Calls.call(() -> ctd.tasks().get(TasksOuterClass.GetRequest.newBuilder()
                    .setContainerId(id).build()).getProcess())));
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public void kill(String id, int signal, boolean all) {
        Calls.run(() -> ctd.tasks().kill(TasksOuterClass.KillRequest.newBuilder().setContainerId(id).setSignal(signal)
                .setAll(all).build()));
    }

    public void closeStdin(String id) {
        Calls.run(() -> ctd.tasks().closeIO(TasksOuterClass.CloseIORequest.newBuilder().setContainerId(id)
                .setStdin(true).build()));
    }

    public void pause(String id) {
        Calls.run(() -> ctd.tasks().pause(TasksOuterClass.PauseTaskRequest.newBuilder().setContainerId(id).build()));
    }

    public void resume(String id) {
        Calls.run(() -> ctd.tasks().resume(TasksOuterClass.ResumeTaskRequest.newBuilder().setContainerId(id).build()));
    }

    public void resize(String id, int width, int height) {
        Calls.run(() -> ctd.tasks().resizePty(TasksOuterClass.ResizePtyRequest.newBuilder().setContainerId(id)
                .setWidth(width).setHeight(height).build()));
    }

    public List<Integer> pids(String id) {
        return Calls.call(() -> ctd.tasks().listPids(TasksOuterClass.ListPidsRequest.newBuilder().setContainerId(id)
                .build()).getProcessesList().stream().map(p -> p.getPid()).toList());
    }

    /** New cgroup limits for a running task (OCI LinuxResources JSON). */
    public void update(String id, byte[] linuxResources) {
        Calls.run(() -> ctd.tasks().update(TasksOuterClass.UpdateTaskRequest.newBuilder().setContainerId(id)
                .setResources(Any.newBuilder().setTypeUrl(RESOURCES_TYPE).setValue(ByteString.copyFrom(linuxResources)))
                .build()));
    }
}
