package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.Trace;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Makes an exec's process ready to start: its FIFOs and IO, its spec, and its registration in the shim
 * (Tasks.Exec). The start is then only Tasks.Start.
 */
final class ExecPreparer {
    private final ExecProcesses processes;
    private final ExecSpecs specs;
    private final ProcessViews containers;
    private final Path execRoot;

    ExecPreparer(ExecProcesses processes, ExecSpecs specs, ProcessViews containers, Path execRoot) {
        this.processes = processes;
        this.specs = specs;
        this.containers = containers;
        this.execRoot = execRoot;
    }

    /**
     * FIFOs, spec and Tasks.Exec; never throws (the error is in the result). Tasks.Exec only records the process and
     * its FIFO paths in the shim, which opens them on Start: it is sent first and runs while the FIFOs are made,
     * rather than one after the other (~1 ms, then ~3 ms).
     */
    PreparedProcess prepare(Exec e) {
        Path dir = ContainerIO.fifoDir(execRoot, e.containerId);
        boolean tty = e.config.tty();
        boolean stdin = e.config.attachStdin();
        FutureTask<Void> register = new FutureTask<>(() -> {
            register(e, stdin ? ContainerIOs.fifo(dir, e.id, "stdin") : null, ContainerIOs.fifo(dir, e.id,
                    "stdout"), tty ? null : ContainerIOs.fifo(dir, e.id, "stderr"));
            return null;
        });
        Thread.ofVirtual().name("exec-register-" + e.id.substring(0, 12)).start(register);
        ContainerIO io;
        try {
            io = ContainerIOs.create(dir, e.id, tty, stdin, true, LogSink.NONE);
        } catch (RuntimeException ex) {
            if (awaitRegistered(register) == null) {
                processes.release(e); // registered with FIFOs that could not be made
            }
            return new PreparedProcess(null, ex);
        }
        Trace.mark("exec", e.id, "fifos");
        return new PreparedProcess(io, awaitRegistered(register));
    }

    /** Null once the process is registered, else why it is not. */
    private static RuntimeException awaitRegistered(FutureTask<Void> register) {
        try {
            register.get();
            return null;
        } catch (ExecutionException x) {
            return x.getCause() instanceof RuntimeException r ? r
                    : PouchException.internal("preparing the exec failed: " + x.getCause(), x.getCause());
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            return PouchException.internal("interrupted while preparing the exec", x);
        }
    }

    /** Tasks.Exec of the process with the container's current spec; it is not started yet. */
    void register(Exec e, Path stdin, Path stdout, Path stderr) {
        ContainerManager.ProcessView c = containers.processView(e.containerId);
        byte[] spec = specs.processSpec(c, e.config);
        Trace.mark("exec", e.id, "spec");
        processes.register(e, stdin, stdout, stderr, spec);
    }
}
