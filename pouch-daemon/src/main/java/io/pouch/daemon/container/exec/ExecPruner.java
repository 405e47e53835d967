package io.pouch.daemon.container.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Forgets execs: those of removed containers, and finished ones after {@link #KEEP_MILLIS} (dockerd's exec GC keeps
 * them for 5-10 minutes); and gives back the resources of speculative preparations nobody started in time.
 */
final class ExecPruner {
    private static final Logger LOG = Logger.getLogger(ExecPruner.class.getName());
    /** Finished execs are kept for inspect for this long (dockerd keeps them until the container goes). */
    static final long KEEP_MILLIS = 10 * 60_000;
    /** A prepared but unstarted exec holds two FIFO threads and a shim entry for at most this long. */
    static final long PREPARED_MILLIS = 60_000;
    private static final long PERIOD_MILLIS = 60_000;

    private final ExecTable table;
    private final ExecProcesses processes;

    ExecPruner(ExecTable table, ExecProcesses processes) {
        this.table = table;
        this.processes = processes;
    }

    void purge() {
        long now = System.currentTimeMillis();
        List<Exec> forgotten = new ArrayList<>();
        List<Exec> release = new ArrayList<>();
        List<CompletableFuture<PreparedProcess>> preparations = new ArrayList<>();
        for (Exec e : table.all()) {
            boolean gone = !table.containerExists(e.containerId);
            CompletableFuture<PreparedProcess> p = e.releaseUnstarted(gone, now, PREPARED_MILLIS);
            if (p != null) {
                release.add(e);
                preparations.add(p);
            }
            if (gone || e.expired(now, KEEP_MILLIS)) {
                forgotten.add(e);
            }
        }
        // outside the exec's monitor: inspect takes it on the API's event loop, which must not wait for a file
        forgotten.forEach(table::remove);
        for (int i = 0; i < release.size(); i++) {
            Exec e = release.get(i);
            preparations.get(i).thenAccept(p -> Thread.ofVirtual().start(() -> {
                if (p.io() != null) {
                    processes.release(e);
                    p.io().close();
                }
            }));
        }
    }

    /** Runs {@link #purge()} every minute, as dockerd's exec GC does every few minutes. */
    void start() {
        Thread.ofVirtual().name("exec-pruner").start(() -> {
            while (true) {
                try {
                    Thread.sleep(PERIOD_MILLIS);
                    purge();
                } catch (InterruptedException ie) {
                    return;
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "pruning exec records failed", ex);
                }
            }
        });
    }
}
