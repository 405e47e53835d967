package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.Assignment;
import io.pouch.daemon.p2p.Wire.PeerRef;
import io.pouch.daemon.p2p.Wire.ScheduleResponse;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * One blob's download: a planner thread long-polls the scheduler for assignments while this (the caller's) thread
 * runs at most {@code parallel} piece fetches, hands verified pieces to the sink strictly in offset order as soon as
 * the prefix is complete, and keeps going without the scheduler when it is lost or assigns nothing for
 * {@code stallTimeout}. Each fetch tries the named parents in order, checks the bytes against the announced digest
 * (a mismatch is reported and the parent skipped), and otherwise falls back to the registry, so P2P fails a pull
 * only where the registry fails it.
 */
final class PieceDownload {
    private static final Logger LOG = Logger.getLogger(PieceDownload.class.getName());
    /** Rounds of busy or missing parents before a piece goes to the registry instead of back to the scheduler. */
    private static final int BUSY_ROUNDS = 3;
    private static final int REGISTRY_ATTEMPTS = 3;

    /** What the download needs of its peer. {@code scheduler} is null when no scheduler is configured. */
    /**
     * @param fetchSlots pieces the whole peer fetches at once, over all its pulls (each holds a piece in memory; a
     *                   pouchd has a small heap)
     */
    record Parts(SchedulerClient scheduler, PieceClient pieces, int parallel, int maxParents, long waitMs,
                 Duration stallTimeout, Semaphore fetchSlots) {
    }

    private sealed interface Event {
    }

    private record Assigned(List<Assignment> pieces) implements Event {
    }

    private record Done(int index) implements Event {
    }

    private record Retry(int index) implements Event {
    }

    private record Failed(int index, Exception cause) implements Event {
    }

    private record Lost(String reason) implements Event {
    }

    private final Parts parts;
    private final String digest;
    private final PieceLayout layout;
    private final PieceStore.Spool spool;
    private final RangeSource registry;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Set<Integer> done = new ConcurrentSkipListSet<>();
    private final Set<Integer> busy = new ConcurrentSkipListSet<>(); // in flight or queued here
    private final Map<Integer, Integer> retries = new HashMap<>();
    private final AtomicLong fromRegistry = new AtomicLong();
    private final AtomicLong fromPeers = new AtomicLong();
    private final ExecutorService tasks = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("p2p-piece-", 0).factory());
    private volatile boolean direct;

    PieceDownload(Parts parts, String digest, PieceLayout layout, PieceStore.Spool spool, RangeSource registry) {
        this.parts = parts;
        this.digest = digest;
        this.layout = layout;
        this.spool = spool;
        this.registry = registry;
        this.direct = parts.scheduler() == null;
        for (int i = 0; i < layout.count(); i++) {
            if (spool.has(i)) {
                done.add(i); // kept from an earlier pull of the same blob
            }
        }
    }

    P2pTransfer run(LongConsumer progress, Repository.ChunkSink sink) throws IOException, InterruptedException {
        Thread planner = direct ? null : Thread.ofVirtual().name("p2p-planner").start(this::plan);
        TreeMap<Integer, Assignment> queued = new TreeMap<>();
        int inFlight = 0;
        int next = 0;
        long delivered = 0;
        try {
            while (true) {
                while (next < layout.count() && done.contains(next)) {
                    byte[] data = spool.read(next);
                    if (data == null) {
                        throw new IOException("piece " + next + " of " + digest + " vanished from its spool");
                    }
                    sink.accept(layout.offset(next), data, data.length);
                    delivered += data.length;
                    progress.accept(delivered);
                    next++;
                }
                if (next == layout.count()) {
                    return new P2pTransfer(fromRegistry.get(), fromPeers.get());
                }
                if (direct) {
                    for (int i = 0; i < layout.count(); i++) {
                        if (!done.contains(i) && !busy.contains(i)) {
                            queued.put(i, new Assignment(i, null, Wire.REGISTRY, List.of()));
                            busy.add(i);
                        }
                    }
                }
                while (inFlight < parts.parallel() && !queued.isEmpty()) {
                    Assignment a = queued.pollFirstEntry().getValue();
                    int round = retries.getOrDefault(a.index(), 0);
                    tasks.execute(() -> fetch(a, round));
                    inFlight++;
                }
                Event e = events.poll(parts.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
                switch (e) {
                    case null -> {
                        if (inFlight == 0 && !direct) {
                            LOG.warning("P2P scheduler assigned no piece of " + digest + " for "
                                    + parts.stallTimeout().toSeconds() + "s: fetching the rest from the registry");
                            direct = true;
                        }
                    }
                    case Assigned a -> a.pieces().forEach(p -> queued.put(p.index(), p));
                    case Done d -> {
                        inFlight--;
                        done.add(d.index());
                        busy.remove(d.index());
                    }
                    case Retry r -> {
                        inFlight--;
                        retries.merge(r.index(), 1, Integer::sum);
                        busy.remove(r.index());
                    }
                    case Lost l -> {
                        if (!direct) {
                            LOG.warning("P2P scheduler lost during the pull of " + digest + " (" + l.reason()
                                    + "): fetching the rest from the registry");
                            direct = true;
                        }
                    }
                    case Failed f -> {
                        switch (f.cause()) {
                            case IOException io -> throw io;
                            case RuntimeException re -> throw re; // the registry's own errors, as a direct pull
                            default -> throw new IOException("piece " + f.index() + " of " + digest + ": "
                                    + f.cause(), f.cause());
                        }
                    }
                }
            }
        } finally {
            boolean stopped = parts.scheduler() != null && done.size() < layout.count();
            direct = true; // stops the planner
            if (planner != null) {
                planner.interrupt();
            }
            tasks.shutdownNow();
            if (stopped) {
                List<Integer> have = List.copyOf(done);
                Thread.ofVirtual().name("p2p-stop").start(() -> {
                    try {
                        parts.scheduler().stop(digest, layout, have);
                    } catch (IOException | InterruptedException e) {
                        LOG.fine("could not tell the scheduler the pull of " + digest + " stopped: " + e);
                    }
                });
            }
        }
    }

    /** The planner: asks for work until every piece is here or the download goes direct. */
    private void plan() {
        while (!direct && done.size() < layout.count()) {
            try {
                ScheduleResponse r = parts.scheduler().schedule(digest, layout, List.copyOf(done),
                        List.copyOf(busy), parts.waitMs(), Math.max(1, 2 * parts.parallel() - busy.size()));
                // marked busy here, before the next request, so that one lists them as being fetched
                List<Assignment> fresh = r.pieces() == null ? List.of() : r.pieces().stream()
                        .filter(p -> layout.valid(p.index()) && !done.contains(p.index()) && busy.add(p.index()))
                        .toList();
                if (!fresh.isEmpty()) {
                    events.add(new Assigned(fresh));
                }
                if (r.retryAfterMs() > 0) {
                    Thread.sleep(Math.min(r.retryAfterMs(), 5000));
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                events.add(new Lost(String.valueOf(e)));
                return;
            }
        }
    }

    private void fetch(Assignment a, int round) {
        try {
            parts.fetchSlots().acquire();
            try {
                events.add(fetchPiece(a, round));
            } finally {
                parts.fetchSlots().release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            events.add(new Failed(a.index(), e));
        }
    }

    private Event fetchPiece(Assignment a, int round) throws IOException, InterruptedException {
        int i = a.index();
        if (Wire.PEERS.equals(a.source()) && a.peers() != null && !a.peers().isEmpty()) {
            boolean onlyBusy = true;
            List<PeerRef> parents = a.peers().stream().limit(Math.max(1, parts.maxParents())).toList();
            for (PeerRef parent : parents) {
                PieceClient.Result r = parts.pieces().fetch(parent, digest, i, layout.length(i));
                if (r.data() != null) {
                    String got = Digests.sha256(r.data());
                    if (r.data().length == layout.length(i) && got.equals(a.digest())) {
                        spool.write(i, r.data(), got);
                        fromPeers.addAndGet(r.data().length);
                        announce(i, got);
                        return new Done(i);
                    }
                    onlyBusy = false;
                    LOG.warning("peer " + parent.id() + " at " + parent.address() + " served piece " + i + " of "
                            + digest + " as " + got + ", announced " + a.digest() + ": reported");
                    report(parent, i, Wire.DIGEST_MISMATCH);
                    continue;
                }
                if (r.failure() == PieceClient.Failure.MISSING) {
                    report(parent, i, Wire.MISSING);
                } else if (r.failure() == PieceClient.Failure.ERROR) {
                    onlyBusy = false;
                    LOG.fine("peer " + parent.address() + " did not serve piece " + i + ": " + r.detail());
                }
            }
            if (onlyBusy && round < BUSY_ROUNDS && !direct) {
                return new Retry(i);
            }
        }
        byte[] data = readRegistry(i);
        String got = Digests.sha256(data);
        if (a.digest() != null && !a.digest().equals(got)) {
            // the registry is this host's authority (containerd checks the whole blob); the announced digest lied
            LOG.warning("piece " + i + " of " + digest + " from the registry is " + got + ", announced as "
                    + a.digest());
        }
        spool.write(i, data, got);
        fromRegistry.addAndGet(data.length);
        announce(i, got);
        return new Done(i);
    }

    /** A piece from the registry; a broken read is tried again, as a direct pull resumes a broken download. */
    private byte[] readRegistry(int i) throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 1; attempt <= REGISTRY_ATTEMPTS; attempt++) {
            try {
                byte[] data = registry.read(layout.offset(i), layout.length(i));
                if (data != null && data.length == layout.length(i)) {
                    return data;
                }
                last = new IOException("the registry sent " + (data == null ? 0 : data.length) + " bytes for piece "
                        + i + " of " + digest + ", expected " + layout.length(i));
            } catch (IOException e) {
                last = e;
            }
            if (attempt < REGISTRY_ATTEMPTS) {
                Thread.sleep(250L * attempt);
            }
        }
        throw last;
    }

    private void announce(int i, String pieceDigest) {
        if (parts.scheduler() == null) {
            return;
        }
        try {
            parts.scheduler().announce(digest, layout, Map.of(i, pieceDigest));
        } catch (IOException e) {
            LOG.fine("announce of piece " + i + " of " + digest + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(PeerRef parent, int i, String reason) {
        if (parts.scheduler() == null) {
            return;
        }
        try {
            parts.scheduler().report(parent, digest, i, reason);
        } catch (IOException e) {
            LOG.fine("report of " + parent.address() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
