package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.ContainerdException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Processes pouchd itself runs inside a container (healthcheck probes), as dockerd runs them: execs with the
 * container's user and working dir, stdout and stderr captured, their {@code exec_create}, {@code exec_start} and
 * {@code exec_die} events published, but never listed in the container's ExecIDs nor kept as exec records. One that
 * outlives its timeout is killed (SIGKILL, as dockerd cancels a probe).
 */
final class HiddenExecs {
    private static final Logger LOG = Logger.getLogger(HiddenExecs.class.getName());
    private static final int SIGKILL = 9;
    /** How long a killed process, and the output still in its FIFOs, are waited for. */
    private static final long AFTER_KILL_MILLIS = 10_000;
    private static final long DRAIN_MILLIS = 2_000;

    /** How a hidden exec ended: its exit code, or null when it was killed for running past its timeout. */
    record Outcome(Integer exitCode) {
        boolean timedOut() {
            return exitCode == null;
        }
    }

    private final ExecPreparer preparer;
    private final ExecProcesses processes;
    private final ProcessViews containers;
    private final ExecEvents events;

    HiddenExecs(ExecPreparer preparer, ExecProcesses processes, ProcessViews containers, ExecEvents events) {
        this.preparer = preparer;
        this.processes = processes;
        this.containers = containers;
        this.events = events;
    }

    /**
     * Runs {@code cmd} in the running container {@code containerId} and waits for its end; stdout and stderr go to
     * {@code output} (called from the IO's threads, one write at a time). The timeout counts from the start, as
     * dockerd's does (the time to start the exec is not the probe's). Interrupted: the process is killed before
     * this returns. 409 when the container is not running or paused; the runtime's error when it cannot start.
     */
    Outcome run(String containerId, List<String> cmd, String user, String workingDir, OutputStream output,
                Duration timeout) throws InterruptedException {
        return run(containerId, cmd, user, workingDir, output, output, timeout);
    }

    /** As {@link #run(String, List, String, String, OutputStream, Duration)}, stdout and stderr apart. */
    Outcome run(String containerId, List<String> cmd, String user, String workingDir, OutputStream stdout,
                OutputStream stderr, Duration timeout) throws InterruptedException {
        ExecConfig cfg = new ExecConfig(false, true, true, "", false, null, cmd, false, user, workingDir);
        Sink sink = new Sink(stdout, stderr, new CountDownLatch(1));
        return execute(containerId, cfg, sink, timeout, (e, io) -> () -> { });
    }

    /**
     * Runs {@code cmd} in the running container wired to a client's streams (the CRI's streaming exec): stdin is
     * copied in until its end (which closes the process's stdin), output goes to {@code stdout} and
     * {@code stderr} (either may be null: dropped), terminal sizes reach the console. Waits for the exit and the
     * last output; interrupted, the process is killed.
     *
     * @param resizes called once with the function that resizes the console (height, width)
     */
    int interactive(String containerId, List<String> cmd, boolean tty, InputStream stdin, OutputStream stdout,
                    OutputStream stderr, Consumer<BiConsumer<Integer, Integer>> resizes) throws InterruptedException {
        ExecConfig cfg = new ExecConfig(stdin != null, true, !tty, "", tty, null, cmd, false, null, null);
        OutputStream discard = OutputStream.nullOutputStream();
        Sink sink = new Sink(stdout == null ? discard : stdout, stderr == null ? discard : stderr,
                new CountDownLatch(1));
        return execute(containerId, cfg, sink, null, (e, io) -> {
            if (tty) {
                resizes.accept((h, w) -> {
                    try {
                        processes.resize(e, h, w);
                    } catch (PouchException x) {
                        LOG.log(Level.FINE, "cannot resize exec " + e.id, x);
                    }
                });
            }
            if (stdin == null) {
                return () -> { };
            }
            Thread feeder = Thread.ofVirtual().start(() -> {
                feed(stdin, io);
                // the shim keeps the process's stdin open until told: the client's end must reach it
                processes.closeStdin(e);
            });
            return feeder::interrupt;
        }).exitCode();
    }

    /** What a caller starts beside a running exec; the returned action undoes it once the exec is over. */
    private interface Companion {
        Runnable start(Exec e, ContainerIO io);
    }

    /**
     * Creates, starts and waits for one exec, its events published as dockerd's. The timeout (null: none) counts
     * from the start; past it the process is killed and the outcome has no exit code. Interrupted: the process is
     * killed before this returns.
     */
    private Outcome execute(String containerId, ExecConfig cfg, Sink sink, Duration timeout, Companion companion)
            throws InterruptedException {
        ContainerManager.ProcessView c = containers.processView(containerId);
        ExecChecks.requireRunning(c);
        Exec e = Exec.created(ExecManager.newId(), c.id(), cfg, null, System.currentTimeMillis());
        String line = String.join(" ", cfg.cmd());
        events.publish(c, "exec_create: " + line, Map.of("execID", e.id));
        PreparedProcess p = preparer.prepare(e);
        if (p.io() == null) {
            throw p.error();
        }
        ContainerIO io = p.io();
        Integer status = null;
        Runnable stopCompanion = () -> { };
        try (ContainerIO.Subscription ignored = io.attach(sink)) {
            if (p.error() != null) {
                throw p.error();
            }
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            processes.awaitExit(e, exit::complete);
            try {
                processes.start(e);
            } catch (ContainerdException x) {
                throw StartFailure.of(c.id(), x).error();
            }
            events.publish(c, "exec_start: " + line, Map.of("execID", e.id));
            stopCompanion = companion.start(e, io);
            try {
                status = timeout == null ? exit.get() : exit.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException t) {
                kill(e);
                status = awaitKilled(exit);
                sink.awaitDelivered();
                return new Outcome(null);
            } catch (InterruptedException ie) {
                kill(e);
                status = awaitKilled(exit);
                throw ie;
            } catch (ExecutionException x) {
                throw PouchException.internal("the exec's exit could not be learnt: " + x.getCause(), x.getCause());
            }
            sink.awaitDelivered();
            return new Outcome(status);
        } finally {
            stopCompanion.run();
            processes.release(e);
            io.close();
            events.publish(c, "exec_die", Map.of("execID", e.id, "exitCode",
                    Integer.toString(status == null ? ExecExits.UNKNOWN_EXIT : status)));
        }
    }

    /** Copies the client's input to the process until either ends; the client's end closes the process's stdin. */
    private static void feed(InputStream in, ContainerIO io) {
        byte[] buf = new byte[32 * 1024];
        try (OutputStream out = io.stdin()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException x) {
            LOG.log(Level.FINE, "the input of an exec ended", x);
        }
    }

    private void kill(Exec e) {
        try {
            processes.kill(e, SIGKILL);
        } catch (ContainerdException x) {
            LOG.log(Level.FINE, "cannot kill hidden exec " + e.id, x); // it ended meanwhile
        }
    }

    /** The killed process's exit status, or null when it was not learnt in time (uninterruptibly: no leak). */
    private static Integer awaitKilled(CompletableFuture<Integer> exit) {
        try {
            return exit.get(AFTER_KILL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException x) {
            return null;
        }
    }

    /** Hands the process's output to the caller's stream; {@code closed} opens once all of it was handed over. */
    private record Sink(OutputStream out, OutputStream err, CountDownLatch closed) implements ContainerIO.Subscriber {
        /** Subscribers are fed on threads of their own: the output has reached {@code out} once this returns. */
        void awaitDelivered() throws InterruptedException {
            if (!closed.await(DRAIN_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.fine("the output of a hidden exec did not end within " + DRAIN_MILLIS + " ms of its exit");
            }
        }

        @Override
        public void onOutput(int stream, byte[] data, int offset, int length) {
            try {
                (stream == 2 ? err : out).write(data, offset, length);
            } catch (IOException x) {
                LOG.log(Level.FINE, "the output of a hidden exec was dropped", x);
            }
        }

        @Override
        public void onClose() {
            closed.countDown();
        }
    }
}
