package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.PeerRef;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * This host as a P2P peer: it serves the verified pieces of the blobs it pulls (from per-blob spool files under a
 * directory of its own, kept while the pull runs and for a while after, see {@link PieceStore}) and downloads blobs
 * piece by piece from the parents the scheduler names or from the registry (see {@link PieceDownload}). While it
 * holds pieces it tells the scheduler it is alive every second and re-announces everything it holds every
 * {@value #REANNOUNCE_EVERY} seconds, so a restarted scheduler learns it again.
 */
public final class P2pPeer implements P2pBlobs, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(P2pPeer.class.getName());
    private static final int REANNOUNCE_EVERY = 10;

    /**
     * Knobs beyond the settings, with {@link #defaults()} for pouchd.
     *
     * @param uploadSlots   pieces served at once (more wait for 429 and ask elsewhere)
     * @param parallel      pieces one pull fetches at once
     * @param fetchSlots    pieces the peer fetches at once over all its pulls (each is held in memory)
     * @param retention     how long a finished blob's pieces stay servable
     * @param maxSpoolBytes finished blobs kept beyond this are deleted oldest first
     * @param pieceTimeout  a parent that has not sent a whole piece within this is given up for the registry
     * @param stallTimeout  a pull with nothing in flight and no assignment for this long fetches the rest from the
     *                      registry (the scheduler may be alive but wedged; others' slow registry pieces take less)
     * @param waitMs        the long-poll wait a schedule request asks for
     */
    public record Tuning(int uploadSlots, int parallel, int fetchSlots, Duration retention, long maxSpoolBytes,
                         Duration pieceTimeout, Duration stallTimeout, long waitMs) {
        public static Tuning defaults() {
            return new Tuning(4, 4, 8, Duration.ofMinutes(10), 4L << 30, Duration.ofSeconds(30),
                    Duration.ofSeconds(60), 2000);
        }
    }

    private final P2pSettings settings;
    private final Tuning tuning;
    private final PieceStore store;
    private final PieceServer server;
    private final HttpClient http;
    private final PeerRef self;
    private final SchedulerClient scheduler;
    private final PieceDownload.Parts parts;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("p2p-heartbeat").factory());
    private int beats;

    private P2pPeer(P2pSettings settings, Tuning tuning, Path spoolDir) throws IOException {
        this.settings = settings;
        this.tuning = tuning;
        P2pSecurity security = P2pSecurity.of(settings);
        if (settings.pieceSize() <= 0) {
            throw new IllegalArgumentException("p2p piece-size must be positive, not " + settings.pieceSize());
        }
        if (settings.maxParents() <= 0) {
            throw new IllegalArgumentException("p2p max-parents must be positive, not " + settings.maxParents());
        }
        if (settings.uploadRateLimit() < 0) {
            throw new IllegalArgumentException("p2p upload-rate-limit must not be negative");
        }
        checkAddress("listen", settings.listen(), true);
        checkAddress("advertise", settings.advertise(), false);
        checkAddress("scheduler", settings.scheduler(), false);
        this.store = new PieceStore(spoolDir, tuning.retention(), tuning.maxSpoolBytes(), System::nanoTime);
        this.server = new PieceServer(settings.listen(), security, settings.uploadRateLimit(), tuning.uploadSlots(),
                store);
        try {
            this.http = security.newClient(Duration.ofSeconds(3));
            this.self = new PeerRef(UUID.randomUUID().toString(), advertised(settings, server.address()));
            this.scheduler = settings.scheduler() == null || settings.scheduler().isBlank() ? null
                    : new SchedulerClient(http, security, settings.scheduler(), self);
            this.parts = new PieceDownload.Parts(scheduler, new PieceClient(http, security, tuning.pieceTimeout()),
                    tuning.parallel(), settings.maxParents(), tuning.waitMs(), tuning.stallTimeout(),
                    new Semaphore(tuning.fetchSlots()));
        } catch (RuntimeException e) {
            server.close();
            store.close();
            throw e;
        }
        heartbeat.scheduleWithFixedDelay(this::beat, 1, 1, TimeUnit.SECONDS);
        LOG.info("P2P peer " + self.id() + " serving pieces on " + server.address() + " as " + self.address()
                + (security.tls() ? " (mutual TLS)" : " (bearer token over plain HTTP)")
                + (scheduler == null ? ", no scheduler: pulls go to the registry"
                : ", scheduler " + settings.scheduler()));
    }

    /**
     * Starts serving pieces on {@code settings.listen()} and returns the peer that pulls through the scheduler at
     * {@code settings.scheduler()} (none: every pull goes to the registry, pieces are still served).
     *
     * @param spoolDir a directory only this peer uses (emptied at start)
     * @throws IllegalArgumentException settings that cannot work, naming the key
     * @throws IOException              the listen address cannot be bound or the directory made
     */
    public static P2pPeer start(P2pSettings settings, Path spoolDir) throws IOException {
        return start(settings, Tuning.defaults(), spoolDir);
    }

    public static P2pPeer start(P2pSettings settings, Tuning tuning, Path spoolDir) throws IOException {
        return new P2pPeer(settings, tuning, spoolDir);
    }

    private static void checkAddress(String key, String value, boolean required) {
        if (!required && (value == null || value.isBlank())) {
            return;
        }
        try {
            HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("p2p " + key + ": " + e.getMessage());
        }
    }

    private static String advertised(P2pSettings s, InetSocketAddress bound) {
        if (s.advertise() != null && !s.advertise().isBlank()) {
            return HostPort.parse(s.advertise()).toString();
        }
        if (bound.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("p2p listen " + s.listen() + " is a wildcard address: give advertise"
                    + " (the address other peers reach this one at)");
        }
        return new HostPort(bound.getAddress().getHostAddress(), bound.getPort()).toString();
    }

    /** The address pieces are served on. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** This peer's id at the scheduler. */
    public String id() {
        return self.id();
    }

    @Override
    public P2pTransfer stream(String digest, long size, LongConsumer progress, Repository.ChunkSink sink,
                              RangeSource registry) throws IOException {
        PieceLayout layout = new PieceLayout(size, settings.pieceSize());
        PieceStore.Spool spool = store.acquire(digest, layout);
        try {
            return new PieceDownload(parts, digest, layout, spool, registry).run(progress, sink);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("pull of " + digest + " interrupted", e);
        } finally {
            store.release(spool);
        }
    }

    private void beat() {
        store.evict();
        if (scheduler == null) {
            return;
        }
        var spools = store.all();
        if (spools.isEmpty()) {
            return;
        }
        boolean full = ++beats % REANNOUNCE_EVERY == 0;
        try {
            for (PieceStore.Spool s : spools) {
                Map<Integer, String> held = full ? s.held() : Map.of();
                scheduler.announce(s.digest, s.layout, held);
                if (!full) {
                    break; // one call keeps this peer alive
                }
            }
        } catch (IOException e) {
            LOG.fine("P2P heartbeat failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops serving and heartbeats without telling the scheduler, as a host that dies does (for tests). */
    void crash() {
        heartbeat.shutdownNow();
        server.close();
    }

    /** Leaves the scheduler (best effort), stops serving and deletes the spools. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        if (scheduler != null) {
            try {
                scheduler.leave();
            } catch (IOException | InterruptedException e) {
                LOG.fine("P2P leave failed: " + e);
            }
        }
        server.close();
        store.close();
        http.shutdownNow(); // close() would wait for a pull's long-poll
    }
}
