package io.pouch.daemon.container.io;

import io.pouch.daemon.sys.DetachedSpawn;
import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;


/**
 * A tiny process that holds read ends of a container's stdout/stderr FIFOs so that output still in a pipe survives
 * a pouchd that is down when the container exits. The fallback of {@link FifoHolder} (one process for all
 * containers), used where the holder cannot be started; keepers an older pouchd left are adopted as they are.
 *
 * <p>Why: the shim copies the container's output into the FIFO and holds a read end of its own only while the
 * process runs; when the container exits it closes both, and if pouchd (the only other reader) is dead at that
 * moment no process has the FIFO open any more: the kernel frees the pipe with up to 64 KiB per stream still in
 * it. The keeper's read ends keep the pipe, so the next pouchd reopens the FIFO by path and drains what is left
 * ({@link FifoContainerIO#salvage}). The keeper never reads, and holds no write end: pouchd still sees EOF when the
 * shim closes its side.
 *
 * <p>How: {@code posix_spawn(3)} through the FFM API, because {@link ProcessBuilder} closes every descriptor above 2
 * in the child. The FIFOs are opened here O_RDONLY|O_NONBLOCK (never blocks, with or without a writer) and put at
 * fds 3 and 4 of the child, /dev/null on 0-2, every other descriptor closed ({@code addclosefrom_np}: pouchd's
 * sockets and the write ends it holds must not leak into a long-lived process), in a session of its own
 * ({@code POSIX_SPAWN_SETSID}: pouchd's kill -9 or its process group's signals do not reach it). The program is
 * {@code /bin/sh} looping on {@code sleep 60} while the FIFO it holds is still the one at the FIFO's path: a keeper
 * that pouchd could not kill (killed between spawn and record, a test that never closed its IO, an exec root
 * wiped) goes away by itself within a minute of its FIFO being removed.
 *
 * <p>Record: {@code <fifoDir>/<processId>-keeper} holds "pid starttime bootid" (start time from /proc/pid/stat),
 * so a restarted pouchd adopts the keeper, and a pid that was recycled (or a boot that came between) is never
 * killed by mistake. Killed: when the streams ended and were drained ({@link FifoContainerIO}), on container
 * removal, and at boot when its container is gone ({@link #sweep}). A graceful pouchd stop keeps them, as it keeps
 * the containers running.
 *
 * <p>Off with {@code -Dpouch.fifoKeeper=false}, and off by itself (one warning) where it cannot be spawned: then
 * pouchd behaves as before (the pipe's content is lost if the container exits while pouchd is down).
 */
final class FifoKeeper implements OutputHold {
    private static final Logger LOG = Logger.getLogger(FifoKeeper.class.getName());
    static final boolean ENABLED = !"false".equals(System.getProperty("pouch.fifoKeeper"));
    /** What the child shows in ps, and what the boot sweep matches on besides the record. */
    static final String NAME = "pouch-fifo-keeper";
    private static final String SH = "/bin/sh";
    /** Runs while fd 3 is still the FIFO at $1; the sleep does not hold the pipes (3 and 4 closed for it). */
    private static final String SCRIPT = "while [ /proc/$$/fd/3 -ef \"$1\" ]; do sleep 60 3<&- 4<&-; done";
    private static final int SIGKILL = 9;
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** Keepers this pouchd spawned or adopted, by pid: the boot sweep kills only the others. */
    private static final Map<Long, FifoKeeper> OWNED = new ConcurrentHashMap<>();

    private final long pid;
    private final long startTime;
    private final Path record;
    private final boolean child;
    private boolean killed; // guarded by this

    private FifoKeeper(long pid, long startTime, Path record, boolean child) {
        this.pid = pid;
        this.startTime = startTime;
        this.record = record;
        this.child = child;
    }

    long pid() {
        return pid;
    }

    static Path recordPath(Path fifoDir, String processId) {
        return fifoDir.resolve(processId + "-keeper");
    }

    /**
     * A keeper for the FIFOs of {@code processId}: on {@code reopen} the one a previous pouchd recorded, if it still
     * runs, else a new one. Null when keepers are off or cannot be spawned (logged once).
     */
    static FifoKeeper start(Path fifoDir, String processId, Path stdout, Path stderr, boolean reopen) {
        Path record = recordPath(fifoDir, processId);
        if (reopen) { // adopted even when keepers are off now, so that it is killed when the output ends
            Optional<Record> r = Record.read(record);
            if (r.isPresent() && r.get().alive()) {
                FifoKeeper k = new FifoKeeper(r.get().pid, r.get().startTime, record, false);
                OWNED.put(k.pid, k);
                return k;
            }
        }
        if (!ENABLED) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.info("FIFO keepers are off (-Dpouch.fifoKeeper=false): output still in a FIFO when its"
                        + " container exits while pouchd is down will be lost");
            }
            return null;
        }
        try {
            long pid = Native.spawn(stdout, stderr);
            FifoKeeper k = new FifoKeeper(pid, Record.startTimeOf(pid), record, true);
            OWNED.put(pid, k);
            try {
                Record.write(record, pid, k.startTime);
            } catch (IOException | RuntimeException e) {
                k.kill(); // unrecorded, a restarted pouchd could not find it
                throw e;
            }
            return k;
        } catch (IOException | RuntimeException | LinkageError e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warning("no FIFO keeper for container output (" + e.getMessage() + "): output still in a FIFO"
                        + " when its container exits while pouchd is down will be lost");
            } else {
                LOG.fine("no FIFO keeper for " + processId + ": " + e);
            }
            return null;
        }
    }

    /** True when a live keeper is recorded for {@code processId}: its pipes (and what they hold) are still there. */
    static boolean holds(Path fifoDir, String processId) {
        return Record.read(recordPath(fifoDir, processId)).map(Record::alive).orElse(false);
    }

    @Override
    public void release() {
        kill();
    }

    /** Kills the keeper (and its sleep), reaps it if it is our child, removes its record. Idempotent. */
    void kill() {
        synchronized (this) {
            if (killed) {
                return;
            }
            killed = true;
        }
        OWNED.remove(pid);
        if (child) {
            // our child: its pid cannot be reused before we reap it
            Native.kill(-pid, SIGKILL);
            Native.kill(pid, SIGKILL);
            Native.reap(pid);
        } else {
            new Record(pid, startTime, Record.currentBootId()).kill();
        }
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            LOG.fine("cannot remove " + record + ": " + e);
        }
    }

    /** Kills the keepers recorded in {@code fifoDir} (container removal, a container gone at boot). */
    static void killAll(Path fifoDir) {
        for (Path p : records(fifoDir)) {
            killRecorded(p);
        }
    }

    /**
     * Boot: kills the keepers recorded under {@code fifoRoot} (one directory per container) that no live IO of this
     * pouchd adopted or spawned: their container is gone, stopped, or its output could not be re-attached.
     *
     * @return how many were killed
     */
    static int sweep(Path fifoRoot) {
        int n = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(fifoRoot, Files::isDirectory)) {
            for (Path d : dirs) {
                for (Path p : records(d)) {
                    Optional<Record> r = Record.read(p);
                    if (r.isPresent() && OWNED.containsKey(r.get().pid)) {
                        continue;
                    }
                    LOG.info("killing the FIFO keeper of a container that is gone: " + p);
                    killRecorded(p);
                    n++;
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            LOG.warning("cannot look for FIFO keepers under " + fifoRoot + ": " + e);
        }
        return n;
    }

    private static List<Path> records(Path fifoDir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(fifoDir, "*-keeper")) {
            s.forEach(out::add);
        } catch (IOException e) {
            // no directory: no keeper
        }
        return out;
    }

    private static void killRecorded(Path p) {
        Optional<Record> r = Record.read(p);
        if (r.isPresent()) {
            FifoKeeper owned = OWNED.get(r.get().pid);
            if (owned != null) {
                owned.kill();
            } else {
                r.get().kill();
            }
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.fine("cannot remove " + p + ": " + e);
        }
    }

    /** What a keeper's record file holds. */
    record Record(long pid, long startTime, String bootId) {
        static Optional<Record> read(Path p) {
            try {
                String[] f = Files.readString(p).trim().split(" ");
                return Optional.of(new Record(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        static void write(Path p, long pid, long startTime) throws IOException {
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, pid + " " + startTime + " " + currentBootId() + "\n");
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        /** The recorded process, same boot, same start time: not a recycled pid. */
        boolean alive() {
            return bootId.equals(currentBootId()) && startTimeOf(pid) == startTime;
        }

        /**
         * Kills the recorded keeper's group (the shell and its sleep) if it is still the recorded process. Nothing
         * when it is gone: a sleep it may have left does not hold the pipes and ends within a minute, and a group
         * of that id could be another's by now.
         */
        void kill() {
            if (alive()) {
                Native.kill(-pid, SIGKILL);
                Native.kill(pid, SIGKILL);
                Native.reap(pid);
            }
        }

        /** Field 22 of /proc/pid/stat (clock ticks after boot); -1 when there is no such process. */
        static long startTimeOf(long pid) {
            try {
                String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[19]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        static String currentBootId() {
            try {
                return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
            } catch (IOException e) {
                return "unknown";
            }
        }
    }

    /** The keeper's process calls, on {@link DetachedSpawn}. */
    private static final class Native {
        /** Spawns the keeper holding {@code stdout} at fd 3 and {@code stderr} (may be null) at fd 4. */
        static long spawn(Path stdout, Path stderr) throws IOException {
            int out = -1;
            int err = -1;
            try {
                out = Syscalls.open(stdout, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
                if (stderr != null) {
                    err = Syscalls.open(stderr, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
                }
                List<String> argv = List.of(NAME, "-c", SCRIPT, NAME, stdout.toString());
                return err >= 0 ? DetachedSpawn.spawn(Path.of(SH), argv, out, err)
                        : DetachedSpawn.spawn(Path.of(SH), argv, out);
            } finally {
                Syscalls.close(out);
                Syscalls.close(err);
            }
        }

        static void kill(long pid, int signal) {
            DetachedSpawn.kill(pid, signal);
        }

        static void reap(long pid) {
            DetachedSpawn.reap(pid);
        }
    }
}
