package io.pouch.daemon.container.exec;

import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Processes;
import io.pouch.daemon.containerd.TaskProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * containerd's exec processes played in memory, as the shim behaves: a registered process is started on a thread of
 * its own that opens the FIFOs as the shim does, runs {@link #program}, closes the FIFOs and only then reports the exit
 * to whoever waits for it.
 */
final class FakeProcesses implements Processes {
    /** What a started process does with its stdio; returns the exit status. */
    @FunctionalInterface
    interface Program {
        int run(InputStream stdin, OutputStream stdout, OutputStream stderr) throws IOException;
    }

    record Registered(String stdin, String stdout, String stderr, boolean terminal, byte[] spec) {
    }

    final Map<String, Registered> registered = new ConcurrentHashMap<>();
    final Map<String, ExitObserver> waiting = new ConcurrentHashMap<>();
    final Map<String, TaskProcess> known = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, Thread> running = new ConcurrentHashMap<>();
    volatile Program program = (in, out, err) -> 0;
    /** When set, Tasks.Start fails with it (as runc's errors come back). */
    volatile ContainerdException startFailure;
    volatile int nextPid = 4242;
    /** False: Tasks.Wait never reports (the exit then comes only from the task event stream). */
    volatile boolean waitReports = true;
    /** When set, the process exits with it before Tasks.Start has returned (a very short command). */
    volatile Integer exitsBeforeStartReturns;

    @Override
    public void exec(String containerId, String execId, String stdin, String stdout, String stderr, boolean terminal,
                     byte[] processSpec) {
        calls.add("exec " + execId);
        if (registered.putIfAbsent(execId, new Registered(stdin, stdout, stderr, terminal, processSpec)) != null) {
            throw new ContainerdException(ContainerdException.Code.ALREADY_EXISTS, "id " + execId + " exists", null);
        }
    }

    @Override
    public int start(String containerId, String execId) {
        calls.add("start " + execId);
        Registered r = registered.get(execId);
        if (r == null) {
            throw new ContainerdException(ContainerdException.Code.NOT_FOUND, "no process " + execId, null);
        }
        if (startFailure != null) {
            throw startFailure;
        }
        Integer early = exitsBeforeStartReturns;
        if (early != null) {
            ExitObserver o = waiting.remove(execId);
            if (o != null) {
                o.exited(early);
            }
            return nextPid;
        }
        Program p = program;
        Thread t = Thread.ofPlatform().daemon().unstarted(() -> {
            int status;
            try (InputStream in = r.stdin() == null ? InputStream.nullInputStream() : new LazyFifoInput(r.stdin());
                 OutputStream out = Files.newOutputStream(Path.of(r.stdout()));
                 OutputStream err = r.stderr() == null ? out : Files.newOutputStream(Path.of(r.stderr()))) {
                status = p.run(in, out, err);
            } catch (IOException e) {
                status = 1;
            }
            ExitObserver o = waiting.remove(execId);
            if (o != null) {
                o.exited(status);
            }
        });
        running.put(execId, t);
        t.start();
        return nextPid;
    }

    @Override
    public void delete(String containerId, String execId) {
        calls.add("delete " + execId);
        registered.remove(execId);
    }

    /** The process's thread is interrupted: a program that sleeps ends as a killed one would. */
    @Override
    public void kill(String containerId, String execId, int signal) {
        calls.add("kill " + execId + " " + signal);
        Thread t = running.get(execId);
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void closeStdin(String containerId, String execId) {
        calls.add("closeStdin " + execId);
    }

    @Override
    public void resize(String containerId, String execId, int width, int height) {
        calls.add("resize " + execId + " " + width + "x" + height);
    }

    @Override
    public Optional<TaskProcess> get(String containerId, String execId) {
        return Optional.ofNullable(known.get(execId));
    }

    @Override
    public void awaitExit(String containerId, String execId, ExitObserver observer) {
        calls.add("wait " + execId);
        if (waitReports) {
            waiting.put(execId, observer);
        }
    }

    /** The stdin FIFO, opened when first read (as a process that never reads stdin never blocks on it). */
    private static final class LazyFifoInput extends InputStream {
        private final String path;
        private InputStream in;

        LazyFifoInput(String path) {
            this.path = path;
        }

        private InputStream in() throws IOException {
            if (in == null) {
                in = Files.newInputStream(Path.of(path));
            }
            return in;
        }

        @Override
        public int read() throws IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in().read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }

    long count(String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
}
