package io.pouch.daemon.container;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A container's state directories: its state directory {@code <containers>/<id>/} with the metadata ({@code config.v2.json})
 * and the json-file log, and its FIFO directory under the exec root. Metadata writes are atomic (see
 * {@link AtomicFiles}).
 */
final class ContainerStateDirs {
    private static final Logger LOG = Logger.getLogger(ContainerStateDirs.class.getName());
    static final String META_FILE = "config.v2.json";
    /**
     * Present in a container's state dir from its creation until the create has completed: a pouchd killed
     * mid-create leaves it (or a dir without metadata), and the next boot removes such a dir with all it holds.
     */
    static final String CREATING_MARK = ".creating";

    private final Path containersDir;
    private final Path execRoot;

    ContainerStateDirs(Path containersDir, Path execRoot) {
        this.containersDir = containersDir;
        this.execRoot = execRoot;
    }

    Path containersDir() {
        return containersDir;
    }

    Path dir(String id) {
        return containersDir.resolve(id);
    }

    /** The json-file driver's log (also the syslog driver's local copy). */
    Path logPath(String id) {
        return dir(id).resolve(id + "-json.log");
    }

    /** Where the FIFOs of the container's processes live. */
    Path fifoDir(String id) {
        return ContainerIO.fifoDir(execRoot, id);
    }

    Path execRoot() {
        return execRoot;
    }

    /** Writes {@code m} to disk (a new container's first write). */
    void write(ContainerMeta m) throws IOException {
        AtomicFiles.writeJson(dir(m.id()).resolve(META_FILE), m);
    }

    /** Writes the new metadata, then makes it visible. Caller holds the container's lock. */
    void save(Container c, ContainerMeta m) {
        try {
            write(m);
        } catch (IOException e) {
            throw PouchException.internal("cannot write the metadata of container " + c.id + ": " + e.getMessage(), e);
        }
        c.meta(m);
    }

    /**
     * Makes {@code m} visible now and writes it once the caller has released the container's lock, off the path
     * the client waits on. Only for a state boot's reconcile derives from containerd anyway: after a started task,
     * a pouchd killed before the write finds the task running and records the container as running (see
     * {@link BootReconciler}), the same end as a kill just after it. The write takes the lock and writes the
     * container's metadata as it is then, so it never overwrites a newer state with this one; a container being
     * removed is not written (its directory is going away).
     */
    void saveAfterUnlock(Container c, ContainerMeta m) {
        c.meta(m);
        Thread.ofVirtual().name("meta-" + c.id.substring(0, 12)).start(() -> {
            c.lock.lock();
            try {
                if (!c.removing) {
                    write(c.meta());
                }
            } catch (IOException e) {
                LOG.warning("cannot write the metadata of container " + c.id + ": " + e.getMessage());
            } finally {
                c.lock.unlock();
            }
        });
    }

    /** Creates the state dir of a container being created, marked as such until {@link #created}. */
    Path createDir(String id) throws IOException {
        Path dir = Files.createDirectories(dir(id));
        Files.write(dir.resolve(CREATING_MARK), new byte[0]);
        return dir;
    }

    /** The create of {@code id} has completed: from now on its dir is a container's. */
    void created(String id) throws IOException {
        Files.deleteIfExists(dir(id).resolve(CREATING_MARK));
    }

    /** The ids of the state dirs a create never completed: still marked, or without metadata. */
    List<String> unfinished() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(containersDir)) {
            for (Path d : dirs.toList()) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && (Files.exists(d.resolve(CREATING_MARK))
                        || !Files.isRegularFile(d.resolve(META_FILE)))) {
                    out.add(d.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot read " + containersDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The metadata of every container on disk; unreadable files are logged and skipped. */
    List<ContainerMeta> readAll() {
        List<ContainerMeta> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(containersDir)) {
            for (Path d : dirs.toList()) {
                Path f = d.resolve(META_FILE);
                if (!Files.isRegularFile(f) || Files.exists(d.resolve(CREATING_MARK))) {
                    continue;
                }
                try {
                    out.add(AtomicFiles.readJson(f, ContainerMeta.class));
                } catch (IOException | RuntimeException e) {
                    LOG.warning("ignoring container metadata " + f + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot read " + containersDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Removes a container's state dir. Its metadata goes first: the exec-record writers (their own threads, see
     * exec.ExecStore) check it before each write and stop; one that had already checked may still put a file there
     * while the tree is being deleted, so the deletion is tried again after such a writer's pause.
     */
    void removeStateDir(String id) throws IOException {
        Path dir = dir(id);
        Files.deleteIfExists(dir.resolve(META_FILE));
        for (int attempt = 1; ; attempt++) {
            try {
                FileTrees.delete(dir);
                return;
            } catch (DirectoryNotEmptyException e) {
                if (attempt == 5) {
                    throw e;
                }
                try {
                    Thread.sleep(150);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

}
