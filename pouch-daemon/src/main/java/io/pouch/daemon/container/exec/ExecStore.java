package io.pouch.daemon.container.exec;

import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Exec records on disk, in the container's own state dir ({@code <containers>/<cid>/execs/<execId>.json}), so they
 * go when the container's directory goes. Writes are crash-safe ({@link AtomicFiles}) and made off the request's
 * path (two fsyncs cost more than a whole {@code docker exec true} may): each exec has one writer that always writes
 * the newest state, so a slow write is never overtaken by an older one. The writer waits {@link #COALESCE_MILLIS}
 * before writing, so the create, start and exit of a short exec cost one write instead of three; a pouchd killed
 * within that time loses only that last change.
 */
final class ExecStore {
    private static final Logger LOG = Logger.getLogger(ExecStore.class.getName());
    static final String DIR = "execs";
    static final long COALESCE_MILLIS = 100;
    /** Marks a container's state dir as made by the container manager (never re-create a removed one). */
    private static final String META_FILE = "config.v2.json";

    private final Path containersDir;
    private final Map<String, Writer> writers = new ConcurrentHashMap<>();

    ExecStore(Path containersDir) {
        this.containersDir = containersDir;
    }

    Path file(String containerId, String execId) {
        return containersDir.resolve(containerId).resolve(DIR).resolve(execId + ".json");
    }

    /** Queues {@code r} to be written; returns at once. */
    void save(ExecRecord r) {
        Writer w = writers.computeIfAbsent(r.id(), k -> new Writer());
        boolean start;
        synchronized (w) {
            w.pending = r;
            start = !w.busy;
            w.busy = true;
        }
        if (start) {
            Thread.ofVirtual().name("exec-store-" + r.id().substring(0, 12)).start(() -> drain(r.id(), w));
        }
    }

    private void drain(String id, Writer w) {
        try {
            Thread.sleep(COALESCE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (true) {
            ExecRecord r;
            synchronized (w) {
                r = w.pending;
                w.pending = null;
                if (r == null) {
                    w.busy = false;
                    if (w.deleted) {
                        writers.remove(id, w);
                    }
                    return;
                }
            }
            Path cdir = containersDir.resolve(r.containerId());
            // the container was removed meanwhile: do not bring its directory back
            if (w.deleted || !Files.isRegularFile(cdir.resolve(META_FILE))) {
                continue;
            }
            try {
                AtomicFiles.writeJson(file(r.containerId(), r.id()), r);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot save exec " + r.id() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Removes the record (pruned); a queued write of it is dropped. */
    void delete(String containerId, String execId) {
        Writer w = writers.get(execId);
        if (w != null) {
            synchronized (w) {
                w.deleted = true;
                w.pending = null;
                if (!w.busy) {
                    writers.remove(execId, w);
                }
            }
        }
        try {
            Files.deleteIfExists(file(containerId, execId));
        } catch (IOException e) {
            LOG.fine("cannot remove exec record " + execId + ": " + e);
        }
    }

    /** Every readable record of every container dir that still has its metadata; unreadable ones are skipped. */
    List<ExecRecord> loadAll() {
        List<ExecRecord> out = new ArrayList<>();
        if (!Files.isDirectory(containersDir)) {
            return out;
        }
        try (DirectoryStream<Path> cs = Files.newDirectoryStream(containersDir)) {
            for (Path c : cs) {
                Path dir = c.resolve(DIR);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                try (DirectoryStream<Path> fs = Files.newDirectoryStream(dir, "*.json")) {
                    for (Path f : fs) {
                        try {
                            ExecRecord r = AtomicFiles.readJson(f, ExecRecord.class);
                            if (r.id() != null && r.config() != null && r.config().cmd() != null
                                    && !r.config().cmd().isEmpty()
                                    && c.getFileName().toString().equals(r.containerId())
                                    && f.getFileName().toString().equals(r.id() + ".json")) {
                                out.add(r);
                            } else {
                                LOG.warning("ignoring exec record " + f + ": not a record of this container");
                            }
                        } catch (IOException | RuntimeException e) {
                            LOG.warning("ignoring exec record " + f + ": " + e.getMessage());
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warning("cannot read exec records under " + containersDir + ": " + e.getMessage());
        }
        return out;
    }

    private static final class Writer {
        ExecRecord pending;
        boolean busy;
        boolean deleted;
    }
}
