package io.pouch.daemon.container;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import containerd.runc.v1.Oci;
import containerd.services.containers.v1.ContainersOuterClass;
import containerd.services.leases.v1.LeasesOuterClass;
import containerd.services.snapshots.v1.SnapshotsOuterClass;
import containerd.services.tasks.v1.TasksOuterClass;
import containerd.types.MountOuterClass;
import containerd.v1.types.Task;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Containerd;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container manager's calls into containerd: snapshot, container record, task. Translates gRPC failures
 * into {@link PouchException}s with messages a person can act on; "not found" on cleanup paths is success.
 */
final class ContainerdRuntime {
    static final String SPEC_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
    static final String RESOURCES_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
    static final String RUNC_OPTIONS_TYPE = "containerd.runc.v1.Options";
    static final String SHIM = "io.containerd.runc.v2";
    static final String SNAPSHOTTER = "overlayfs";

    private final Containerd ctd;

    ContainerdRuntime(Containerd ctd) {
        this.ctd = ctd;
    }

    /** A lease that keeps a new snapshot from containerd's GC until the container record references it. */
    String createLease(String id) {
        String lease = "pouch-create-" + id;
        ctd.leases().create(LeasesOuterClass.CreateRequest.newBuilder().setId(lease)
                // if pouchd dies mid-create, containerd expires the lease itself
                .putLabels("containerd.io/gc.expire", Instant.now().plus(1, ChronoUnit.HOURS).toString())
                .build());
        return lease;
    }

    void deleteLease(String lease) {
        ignoreNotFound(() -> ctd.leases().delete(LeasesOuterClass.DeleteRequest.newBuilder().setId(lease).build()));
    }

    void prepareSnapshot(String lease, String key, String parent) {
        Containerd.withLease(ctd.snapshots(), lease).prepare(SnapshotsOuterClass.PrepareSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent == null ? "" : parent).build());
    }

    /** As {@link #prepareSnapshot}; returns the mounts of the new snapshot (what Snapshots/Mounts would say). */
    List<MountOuterClass.Mount> prepareSnapshotMounts(String lease, String key, String parent) {
        return (lease == null ? ctd.snapshots() : Containerd.withLease(ctd.snapshots(), lease))
                .prepare(SnapshotsOuterClass.PrepareSnapshotRequest.newBuilder().setSnapshotter(SNAPSHOTTER).setKey(key).setParent(parent == null ? "" : parent).build())
                .getMountsList();
    }

    /** life: turns the active snapshot {@code key} into the committed {@code name} (the key is free again). */
    void commitSnapshot(String lease, String name, String key) {
        Containerd.withLease(ctd.snapshots(), lease).commit(SnapshotsOuterClass.CommitSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setName(name).setKey(key).build());
    }

    List<MountOuterClass.Mount> mounts(String key) {
        return ctd.snapshots().mounts(SnapshotsOuterClass.MountsRequest.newBuilder().setSnapshotter(SNAPSHOTTER)
                .setKey(key).build()).getMountsList();
    }

    void removeSnapshot(String key) {
        ignoreNotFound(() -> ctd.snapshots().remove(SnapshotsOuterClass.RemoveSnapshotRequest.newBuilder()
                .setSnapshotter(SNAPSHOTTER).setKey(key).build()));
    }

    boolean snapshotExists(String key) {
        try {
            ctd.snapshots().stat(SnapshotsOuterClass.StatSnapshotRequest.newBuilder().setSnapshotter(SNAPSHOTTER)
                    .setKey(key).build());
            return true;
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    /** Bytes used by the snapshot itself (its upper dir), and by the whole chain below it. */
    long[] usage(String key) {
        long own = 0;
        long total = 0;
        String k = key;
        boolean first = true;
        while (k != null && !k.isEmpty()) {
            long size = ctd.snapshots().usage(SnapshotsOuterClass.UsageRequest.newBuilder().setSnapshotter(SNAPSHOTTER)
                    .setKey(k).build()).getSize();
            if (first) {
                own = size;
                first = false;
            }
            total += size;
            k = ctd.snapshots().stat(SnapshotsOuterClass.StatSnapshotRequest.newBuilder().setSnapshotter(SNAPSHOTTER)
                    .setKey(k).build()).getInfo().getParent();
        }
        return new long[] {own, total};
    }

    void createContainer(String lease, String id, String image, String binary, byte[] spec, Map<String, String> labels) {
        (lease == null ? ctd.containers() : Containerd.withLease(ctd.containers(), lease))
                .create(ContainersOuterClass.CreateContainerRequest.newBuilder()
                .setContainer(ContainersOuterClass.Container.newBuilder()
                        .setId(id)
                        .setImage(image)
                        .setRuntime(ContainersOuterClass.Container.Runtime.newBuilder().setName(SHIM)
                                .setOptions(runcOptions(binary)))
                        .setSpec(specAny(spec))
                        .setSnapshotter(SNAPSHOTTER)
                        .setSnapshotKey(id)
                        .putAllLabels(labels))
                .build());
    }

    static Any runcOptions(String binary) {
        return Any.newBuilder().setTypeUrl(RUNC_OPTIONS_TYPE)
                .setValue(Oci.Options.newBuilder().setBinaryName(binary).build().toByteString()).build();
    }

    static Any specAny(byte[] spec) {
        return Any.newBuilder().setTypeUrl(SPEC_TYPE).setValue(ByteString.copyFrom(spec)).build();
    }

    void updateSpec(String id, byte[] spec) {
        ctd.containers().update(ContainersOuterClass.UpdateContainerRequest.newBuilder()
                .setContainer(ContainersOuterClass.Container.newBuilder().setId(id).setSpec(specAny(spec)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("spec"))
                .build());
    }

    /** life: the runtime spec containerd holds for the container (JSON bytes). */
    byte[] spec(String id) {
        return ctd.containers().get(ContainersOuterClass.GetContainerRequest.newBuilder().setId(id).build())
                .getContainer().getSpec().getValue().toByteArray();
    }

    /** life: new cgroup limits for a running task (OCI LinuxResources JSON). */
    void updateTask(String id, byte[] linuxResources) {
        ctd.tasks().update(TasksOuterClass.UpdateTaskRequest.newBuilder().setContainerId(id)
                .setResources(Any.newBuilder().setTypeUrl(RESOURCES_TYPE).setValue(ByteString.copyFrom(linuxResources)))
                .build());
    }

    void deleteContainer(String id) {
        ignoreNotFound(() -> ctd.containers().delete(ContainersOuterClass.DeleteContainerRequest.newBuilder()
                .setId(id).build()));
    }

    List<String> containerIds() {
        return ctd.containers().list(ContainersOuterClass.ListContainersRequest.getDefaultInstance())
                .getContainersList().stream().map(ContainersOuterClass.Container::getId).toList();
    }

    int createTask(String id, List<MountOuterClass.Mount> rootfs, String stdin, String stdout, String stderr,
                   boolean terminal) {
        return ctd.tasks().create(TasksOuterClass.CreateTaskRequest.newBuilder()
                .setContainerId(id)
                .addAllRootfs(rootfs)
                .setStdin(stdin == null ? "" : stdin)
                .setStdout(stdout == null ? "" : stdout)
                .setStderr(stderr == null ? "" : stderr)
                .setTerminal(terminal)
                .build()).getPid();
    }

    int startTask(String id) {
        return ctd.tasks().start(TasksOuterClass.StartRequest.newBuilder().setContainerId(id).build()).getPid();
    }

    /** Deletes the (stopped) task; its exit status, or empty when there was no task. */
    Optional<TasksOuterClass.DeleteResponse> deleteTask(String id) {
        try {
            return Optional.of(ctd.tasks().delete(TasksOuterClass.DeleteTaskRequest.newBuilder().setContainerId(id)
                    .build()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Optional<Task.Process> task(String id) {
        try {
            return Optional.of(ctd.tasks().get(TasksOuterClass.GetRequest.newBuilder().setContainerId(id).build())
                    .getProcess());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    void kill(String id, int signal, boolean all) {
        ctd.tasks().kill(TasksOuterClass.KillRequest.newBuilder().setContainerId(id).setSignal(signal).setAll(all)
                .build());
    }

    void closeStdin(String id) {
        ctd.tasks().closeIO(TasksOuterClass.CloseIORequest.newBuilder().setContainerId(id).setStdin(true).build());
    }

    void pause(String id) {
        ctd.tasks().pause(TasksOuterClass.PauseTaskRequest.newBuilder().setContainerId(id).build());
    }

    void resume(String id) {
        ctd.tasks().resume(TasksOuterClass.ResumeTaskRequest.newBuilder().setContainerId(id).build());
    }

    void resize(String id, int width, int height) {
        ctd.tasks().resizePty(TasksOuterClass.ResizePtyRequest.newBuilder().setContainerId(id).setWidth(width)
                .setHeight(height).build());
    }

    List<Integer> pids(String id) {
        return ctd.tasks().listPids(TasksOuterClass.ListPidsRequest.newBuilder().setContainerId(id).build())
                .getProcessesList().stream().map(p -> p.getPid()).toList();
    }

    static void ignoreNotFound(Runnable r) {
        try {
            r.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    /**
     * A failed task create/start as Docker words it. The docker CLI maps "executable file not found" and "no
     * such file or directory" to exit 127 and "permission denied" to 126, so those stay in the message.
     */
    static PouchException startError(StatusRuntimeException e) {
        String msg = e.getStatus().getDescription() == null ? e.getStatus().getCode().toString()
                : e.getStatus().getDescription();
        if (msg.contains("executable file not found") || msg.contains("no such file or directory")
                || msg.contains("permission denied") || msg.contains("not a directory")) {
            return PouchException.invalidArgument(msg);
        }
        if (msg.contains("can't get final child's PID from pipe")) {
            return PouchException.internal(msg + " (on this host this usually means a limit the host cannot grant:"
                    + " a hard ulimit above the current one or a negative OomScoreAdj)", e);
        }
        return PouchException.internal(msg, e);
    }

    static PouchException error(String what, StatusRuntimeException e) {
        String msg = e.getStatus().getDescription() == null ? e.getStatus().getCode().toString()
                : e.getStatus().getDescription();
        return switch (e.getStatus().getCode()) {
            case NOT_FOUND -> PouchException.notFound(what + ": " + msg);
            case ALREADY_EXISTS, FAILED_PRECONDITION -> PouchException.conflict(what + ": " + msg);
            case INVALID_ARGUMENT -> PouchException.invalidArgument(what + ": " + msg);
            case UNAVAILABLE -> PouchException.internal(what + ": containerd is not reachable (" + msg + ")", e);
            default -> PouchException.internal(what + ": " + msg, e);
        };
    }
}
