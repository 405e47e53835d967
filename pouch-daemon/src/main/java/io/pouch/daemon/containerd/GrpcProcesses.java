package io.pouch.daemon.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import containerd.services.tasks.v1.TasksOuterClass;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import java.util.Optional;

/** {@link Processes} over containerd's Tasks service, one call per method. */
final class GrpcProcesses implements Processes {
    static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";

    private final Containerd ctd;

    GrpcProcesses(Containerd ctd) {
        this.ctd = ctd;
    }

    @Override
    public void exec(String containerId, String execId, String stdin, String stdout, String stderr, boolean terminal,
                     byte[] processSpec) {
        TasksOuterClass.ExecProcessRequest req = TasksOuterClass.ExecProcessRequest.newBuilder()
                .setContainerId(containerId).setExecId(execId)
                .setStdin(stdin == null ? "" : stdin)
                .setStdout(stdout == null ? "" : stdout)
                .setStderr(stderr == null ? "" : stderr)
                .setTerminal(terminal)
                .setSpec(Any.newBuilder().setTypeUrl(PROCESS_TYPE).setValue(ByteString.copyFrom(processSpec)))
                .build();
        Calls.run(() -> ctd.tasks().exec(req));
    }

    @Override
    public int start(String containerId, String execId) {
        return Calls.call(() -> ctd.tasks().start(TasksOuterClass.StartRequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).build()).getPid());
    }

    @Override
    public void delete(String containerId, String execId) {
        Calls.ignoreNotFound(() -> ctd.tasks().deleteProcess(TasksOuterClass.DeleteProcessRequest.newBuilder()
                .setContainerId(containerId).setExecId(execId).build()));
    }

    @Override
    public void kill(String containerId, String execId, int signal) {
        Calls.run(() -> ctd.tasks().kill(TasksOuterClass.KillRequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).setSignal(signal).build()));
    }

    @Override
    public void closeStdin(String containerId, String execId) {
        Calls.run(() -> ctd.tasks().closeIO(TasksOuterClass.CloseIORequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).setStdin(true).build()));
    }

    @Override
    public void resize(String containerId, String execId, int width, int height) {
        Calls.run(() -> ctd.tasks().resizePty(TasksOuterClass.ResizePtyRequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).setWidth(width).setHeight(height).build()));
    }

    @Override
    public Optional<TaskProcess> get(String containerId, String execId) {
        try {
            return Optional.of(TaskProcess.of(Calls.call(() -> ctd.tasks().get(TasksOuterClass.GetRequest.newBuilder()
                    .setContainerId(containerId).setExecId(execId).build()).getProcess())));
        } catch (ContainerdException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void awaitExit(String containerId, String execId, ExitObserver observer) {
        ctd.tasksAsync().wait(TasksOuterClass.WaitRequest.newBuilder().setContainerId(containerId)
                .setExecId(execId).build(), new StreamObserver<>() {
            @Override
            public void onNext(TasksOuterClass.WaitResponse r) {
                observer.exited(r.getExitStatus());
            }

            @Override
            public void onError(Throwable t) {
                observer.failed(t instanceof StatusRuntimeException s ? ContainerdException.of(s) : t);
            }

            @Override
            public void onCompleted() {
                // the exit came with onNext
            }
        });
    }
}
