package io.pouch.daemon.container.io;

import io.pouch.daemon.sys.DetachedSpawn;
import io.pouch.daemon.sys.SeqPacketSocket;
import io.pouch.daemon.sys.Syscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * pouchd's side of the FIFO holder: ONE process per exec root ({@code pouch-fifo-holder}, a small C program of the
 * project, pouch-daemon/src/main/c) that holds the read ends of every container's stdout/stderr FIFOs, so that
 * output still in a pipe survives a pouchd that is down when its container exits (why: see {@link FifoKeeper}, the
 * per-container process it replaces, which cost a shell per container).
 *
 * <p>pouchd opens the FIFOs itself (O_RDONLY|O_NONBLOCK, so it never blocks) and passes the descriptors over the
 * holder's unix SOCK_SEQPACKET socket ({@code <execRoot>/fifo/holder.sock}) with SCM_RIGHTS: the holder holds the
 * very pipes pouchd opened, with no window where a path could name another file. Entries are keyed
 * {@code <containerId>/<processId>}; releasing a container id releases its processes. The protocol is described in
 * the C source.
 *
 * <p>Lifetime: spawned at the first container output to hold ({@link DetachedSpawn}: its own session, so pouchd's
 * kill -9 does not reach it). pouchd keeps one connection; the holder exits by itself when it holds nothing and
 * nobody is connected (so a pouchd stopped with no running container leaves nothing behind), and drops the entries
 * whose FIFO path is gone (the exec root wiped, a pouchd that never came back). A restarted pouchd connects to the
 * running holder and adopts it when it speaks {@link #PROTOCOL}; a holder of another protocol (an older pouchd's)
 * is replaced by a new one that takes every held descriptor over from it before it takes the socket's name.
 *
 * <p>Where the holder cannot be started (no binary, spawn failed) it is off for this pouchd's life with one warning
 * and {@link OutputHolds} falls back to a {@link FifoKeeper} per container. If the holder dies while pouchd runs,
 * the next request spawns a new one and holds again, by path, what this pouchd held (safe: pouchd's own drains keep
 * those pipes, so the paths still name them).
 */
final class FifoHolder {
    private static final Logger LOG = Logger.getLogger(FifoHolder.class.getName());
    static final String PROTOCOL = "pouch-fifo-holder 1";
    static final String NAME = "pouch-fifo-holder";
    static final String SOCKET = "holder.sock";
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final Map<Path, FifoHolder> BY_ROOT = new ConcurrentHashMap<>();
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private final Path socket;
    private final Path binary;
    private final String checkSeconds;
    /** Keys this pouchd holds or adopted, with their FIFOs: the boot sweep releases the others. */
    private final Map<String, List<Path>> owned = new ConcurrentHashMap<>();
    private SeqPacketSocket conn; // guarded by this
    private long pid; // guarded by this
    private long child; // guarded by this: our own spawned holder, to reap
    private String unavailable; // guarded by this: why no holder can be started (null: try)

    private FifoHolder(Path fifoRoot, Path binary, String checkSeconds) {
        this.socket = fifoRoot.resolve(SOCKET);
        this.binary = binary;
        this.checkSeconds = checkSeconds;
    }

    /** The holder of the exec root whose FIFO directories are under {@code fifoRoot}. */
    static FifoHolder of(Path fifoRoot) {
        return BY_ROOT.computeIfAbsent(fifoRoot.toAbsolutePath().normalize(), r -> new FifoHolder(r, binary(), "10"));
    }

    /** Registers a holder with an explicit binary and check interval for {@code fifoRoot} (tests). */
    static FifoHolder register(Path fifoRoot, Path binary, int checkSeconds) {
        FifoHolder h = new FifoHolder(fifoRoot.toAbsolutePath().normalize(), binary, Integer.toString(checkSeconds));
        BY_ROOT.put(fifoRoot.toAbsolutePath().normalize(), h);
        return h;
    }

    /** Forgets the holder of {@code fifoRoot} and closes pouchd's connection to it (tests; a pouchd that stops). */
    static void unregister(Path fifoRoot) {
        FifoHolder h = BY_ROOT.remove(fifoRoot.toAbsolutePath().normalize());
        if (h != null) {
            h.disconnect();
        }
    }

    /** {@code -Dpouch.fifoHolder=PATH}, else {@code <pouch.lib>/pouch-fifo-holder}; null when neither is set. */
    private static Path binary() {
        String p = System.getProperty("pouch.fifoHolder");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String lib = System.getProperty("pouch.lib");
        return lib == null ? null : Path.of(lib, NAME);
    }

    static String key(Path fifoDir, String processId) {
        return fifoDir.getFileName() + "/" + processId;
    }

    Path socket() {
        return socket;
    }

    /** The holder's pid (0 when not connected). */
    synchronized long pid() {
        return pid;
    }

    /**
     * Connects to the running holder (adopted, or replaced when it speaks another protocol); with {@code spawn} a
     * new one is started when none runs.
     *
     * @return false when there is no holder (and, with {@code spawn}, none can be started: warned once)
     */
    synchronized boolean ensure(boolean spawn) {
        if (conn != null) {
            return true;
        }
        if (child > 0) {
            DetachedSpawn.reapIfExited(child); // a holder of ours that exited (killed, or empty) is no zombie
        }
        String running = null;
        if (Files.exists(socket)) {
            try {
                connect();
                running = version(); // "pouch-fifo-holder 1 <pid> <entries>"
                if (running.startsWith(PROTOCOL + " ")) {
                    pid = Long.parseLong(running.split(" ")[2]);
                    LOG.fine("FIFO holder " + pid + " adopted: " + running);
                    return true;
                }
                LOG.info("the FIFO holder on " + socket + " speaks \"" + running + "\", not \"" + PROTOCOL
                        + "\": a new holder takes its pipes over");
            } catch (IOException | RuntimeException e) {
                LOG.fine("no FIFO holder answers on " + socket + ": " + e.getMessage());
            }
            disconnect();
        }
        if (!spawn && running == null) {
            return false;
        }
        if (unavailable != null) {
            return false;
        }
        try {
            start();
        } catch (IOException | RuntimeException | LinkageError e) {
            unavailable = e.getMessage();
            if (WARNED.compareAndSet(false, true)) {
                LOG.warning("no FIFO holder (" + e.getMessage() + "): a keeper process per container holds the"
                        + " output pipes instead");
            }
            return false;
        }
        rehold();
        return true;
    }

    /** Spawns a holder and waits until it answers on the socket (after taking over an older one, if any). */
    private void start() throws IOException {
        if (binary == null) {
            throw new IOException("no " + NAME + " binary: set -Dpouch.fifoHolder=PATH or -Dpouch.lib");
        }
        long spawned = DetachedSpawn.spawn(binary, List.of(NAME, socket.toString(), checkSeconds));
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!ProcessHandle.of(spawned).map(ProcessHandle::isAlive).orElse(false)) {
                DetachedSpawn.reap(spawned);
                throw new IOException(binary + " exited at start");
            }
            try {
                connect();
                String v = version();
                if (v.startsWith(PROTOCOL + " ") && Long.parseLong(v.split(" ")[2]) == spawned) {
                    pid = spawned;
                    child = spawned;
                    LOG.info("FIFO holder " + pid + " started on " + socket);
                    return;
                }
            } catch (IOException | RuntimeException e) {
                last = e instanceof IOException io ? io : new IOException(e);
            }
            disconnect();
            try {
                Thread.sleep(5); // the holder is up within milliseconds; its takeover of an old one may take longer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        DetachedSpawn.kill(spawned, 9);
        DetachedSpawn.reap(spawned);
        throw new IOException(binary + " did not answer on " + socket + (last == null ? "" : ": " + last.getMessage()));
    }

    /** After a new holder was spawned while pouchd runs: what this pouchd held goes to it again (by path). */
    private void rehold() {
        for (Map.Entry<String, List<Path>> e : owned.entrySet()) {
            try {
                holdLocked(e.getKey(), e.getValue());
            } catch (IOException | RuntimeException ex) {
                LOG.fine("cannot hold " + e.getKey() + " again: " + ex.getMessage());
            }
        }
    }

    private void connect() throws IOException {
        conn = SeqPacketSocket.connect(socket);
    }

    private String version() throws IOException {
        conn.send("VERSION");
        return conn.receive().text();
    }

    private synchronized void disconnect() {
        if (conn != null) {
            conn.close();
            conn = null;
            pid = 0;
        }
    }

    /**
     * One request, one reply; a broken connection is retried once on a new one. Only a HOLD (descriptors attached)
     * may spawn a holder: asking or releasing needs none.
     */
    private String request(String text, int... fds) throws IOException {
        for (int attempt = 0; ; attempt++) {
            if (!ensure(fds.length > 0)) {
                throw new IOException("no FIFO holder");
            }
            try {
                conn.send(text, fds);
                SeqPacketSocket.Message m = conn.receive();
                closeAll(m.fds());
                return m.text();
            } catch (IOException e) {
                disconnect();
                if (attempt > 0) {
                    throw e;
                }
            }
        }
    }

    /**
     * Opens {@code fifos} O_RDONLY|O_NONBLOCK and gives them to the holder under {@code key}.
     *
     * @return an entry to release once the output ended; null when the holder could not take them
     */
    synchronized OutputHold hold(String key, List<Path> fifos) {
        try {
            holdLocked(key, fifos);
            owned.put(key, List.copyOf(fifos));
            return new Entry(key);
        } catch (IOException | RuntimeException e) {
            LOG.fine("the FIFO holder cannot hold " + key + ": " + e.getMessage());
            return null;
        }
    }

    private void holdLocked(String key, List<Path> fifos) throws IOException {
        checkField(key);
        int[] fds = new int[fifos.size()];
        Arrays.fill(fds, -1);
        StringBuilder req = new StringBuilder("HOLD\n").append(key);
        try {
            for (int i = 0; i < fds.length; i++) {
                checkField(fifos.get(i).toString());
                fds[i] = Syscalls.open(fifos.get(i), Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC, 0);
                req.append('\n').append(fifos.get(i));
            }
            String reply = request(req.toString(), fds);
            if (!reply.equals("OK")) {
                throw new IOException("holder: " + reply);
            }
        } finally {
            closeAll(fds);
        }
    }

    /** Takes up an entry a previous pouchd left with the holder; null when there is none. */
    synchronized OutputHold adopt(String key, List<Path> fifos) {
        if (!has(key)) {
            return null;
        }
        owned.put(key, List.copyOf(fifos));
        return new Entry(key);
    }

    /** True when the running holder (none is started for this) holds {@code key}. */
    synchronized boolean has(String key) {
        if (!ensure(false)) {
            return false;
        }
        try {
            return request("HAS\n" + key).equals("YES");
        } catch (IOException e) {
            return false;
        }
    }

    /** Releases {@code key} and every key under {@code key/} in the running holder, if any. */
    synchronized void release(String key) {
        owned.keySet().removeIf(k -> k.equals(key) || k.startsWith(key + "/"));
        if (!ensure(false)) {
            return;
        }
        try {
            request("RELEASE\n" + key);
        } catch (IOException e) {
            LOG.fine("cannot release " + key + " in the FIFO holder: " + e.getMessage());
        }
    }

    /** The keys the running holder holds (empty without a holder). */
    synchronized List<String> list() {
        List<String> keys = new ArrayList<>();
        if (!ensure(false)) {
            return keys;
        }
        try {
            conn.send("LIST");
            for (; ; ) {
                SeqPacketSocket.Message m = conn.receive();
                closeAll(m.fds());
                if (m.text().equals("END")) {
                    return keys;
                }
                String[] f = m.text().split("\n");
                if (f.length >= 2 && f[0].equals("E")) {
                    keys.add(f[1]);
                }
            }
        } catch (IOException e) {
            disconnect();
            LOG.fine("cannot list the FIFO holder's entries: " + e.getMessage());
            return keys;
        }
    }

    /** Boot: releases what the holder holds for processes no IO of this pouchd took up. */
    synchronized int sweep() {
        int n = 0;
        for (String k : list()) {
            if (!owned.containsKey(k)) {
                LOG.info("releasing the FIFOs the holder kept for a process that is gone: " + k);
                release(k);
                n++;
            }
        }
        return n;
    }

    private static void checkField(String s) throws IOException {
        if (s.indexOf('\n') >= 0 || s.isEmpty()) {
            throw new IOException("cannot pass \"" + s + "\" to the FIFO holder");
        }
    }

    private static void closeAll(int[] fds) {
        for (int fd : fds) {
            Syscalls.close(fd);
        }
    }

    /** An entry this pouchd holds in the holder. */
    private final class Entry implements OutputHold {
        private final String key;
        private final AtomicBoolean released = new AtomicBoolean();

        Entry(String key) {
            this.key = key;
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                FifoHolder.this.release(key);
            }
        }
    }
}
