package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.AnnounceRequest;
import io.pouch.daemon.p2p.Wire.Assignment;
import io.pouch.daemon.p2p.Wire.PeerRef;
import io.pouch.daemon.p2p.Wire.ReportRequest;
import io.pouch.daemon.p2p.Wire.ScheduleRequest;
import io.pouch.daemon.p2p.Wire.ScheduleResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The scheduler's state and decisions, in memory only (losing it costs registry bytes, never a pull): which live
 * peer holds which verified piece of which blob, each piece's announced digest, who was sent to the registry for
 * which piece, and how many downloads each peer was named the first parent for (its load). A missing piece goes to
 * the least loaded holders with a free upload slot; a piece nobody holds goes to the registry through exactly one
 * peer at a time; a piece whose holders are all busy, or which another peer is already fetching from the registry,
 * waits for the next announce. A peer reported for a bad piece is banned only once the scheduler's own fetch of that
 * piece confirms the mismatch (see {@link SchedulerServer}).
 */
final class Scheduler {
    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /**
     * @param peerTimeout     a peer not heard from for this long is retired with everything it held
     * @param registryTimeout a registry fetch (or a parent's load) not announced within this long is given up
     * @param maxParents      holders named per piece, least loaded first
     * @param uploadSlots     downloads a peer is assumed to serve at once (its pieces wait beyond that)
     * @param registryBatch   registry pieces one peer is fetching at once (spreads the registry's work)
     * @param registryPerBlob registry pieces of one blob being fetched at once by all peers together: enough to fill
     *                        the registry's link, few enough that each arrives soon and can be passed on
     * @param defaultWant     pieces assigned per answer when the peer does not say
     */
    record Policy(Duration peerTimeout, Duration registryTimeout, int maxParents, int uploadSlots, int registryBatch,
                  int registryPerBlob, int defaultWant) {
        static Policy defaults() {
            return new Policy(Duration.ofSeconds(5), Duration.ofSeconds(120), 4, 4, 3, 8, 8);
        }
    }

    private static final class Peer {
        final String id;
        String address;
        long lastSeen;

        Peer(String id, String address, long now) {
            this.id = id;
            this.address = address;
            this.lastSeen = now;
        }

        PeerRef ref() {
            return new PeerRef(id, address);
        }
    }

    private record Fetch(String peer, long deadline) {
    }

    private record PendingKey(String requester, String blob, int index) {
    }

    private record Pending(String parent, long deadline) {
    }

    private static final class Blob {
        final PieceLayout layout;
        final String[] digests;
        final Map<Integer, Set<String>> holders = new HashMap<>();
        final Map<Integer, Fetch> registry = new HashMap<>();

        Blob(PieceLayout layout) {
            this.layout = layout;
            this.digests = new String[layout.count()];
        }
    }

    private final Policy policy;
    private final LongSupplier nanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Peer> peers = new HashMap<>();
    private final Set<String> banned = new HashSet<>();
    private final Map<String, Blob> blobs = new HashMap<>();
    private final Map<PendingKey, Pending> pending = new HashMap<>();

    Scheduler(Policy policy, LongSupplier nanos) {
        this.policy = policy;
        this.nanos = nanos;
    }

    Scheduler(Policy policy) {
        this(policy, System::nanoTime);
    }

    /**
     * Assigns missing pieces to the peer; when none can be assigned yet (and the peer still misses some), waits up to
     * {@code waitMs} (at most half the peer timeout, so a waiting peer asks again before it would be retired) for
     * an announce, a ban or a retirement that changes the answer.
     *
     * @throws IllegalArgumentException a malformed request (answered 400)
     */
    ScheduleResponse schedule(ScheduleRequest r) throws InterruptedException {
        checkPeer(r.peer());
        checkBlob(r.blob());
        PieceLayout layout = new PieceLayout(r.size(), r.pieceSize());
        long wait = Math.clamp(r.waitMs(), 0, policy.peerTimeout().toMillis() / 2);
        long deadline = nanos.getAsLong() + TimeUnit.MILLISECONDS.toNanos(wait);
        lock.lock();
        try {
            Peer p = touch(r.peer());
            Blob b = blob(r.blob(), layout);
            Set<Integer> have = new HashSet<>(r.have() == null ? List.of() : r.have());
            Set<Integer> fetching = new HashSet<>(r.fetching() == null ? List.of() : r.fetching());
            if (r.stop()) {
                assign(p, r.blob(), b, have, Set.of(), 0); // releases its registry fetches and loads
                changed.signalAll();
                return new ScheduleResponse(List.of(), 0);
            }
            while (true) {
                sweep();
                b = blobs.computeIfAbsent(r.blob(), k -> new Blob(layout));
                List<Assignment> out = assign(p, r.blob(), b, have, fetching, r.want() > 0 ? r.want()
                        : policy.defaultWant());
                long left = deadline - nanos.getAsLong();
                if (!out.isEmpty() || have.size() >= layout.count() || left <= 0) {
                    return new ScheduleResponse(out, 0);
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Assignment> assign(Peer p, String digest, Blob b, Set<Integer> have, Set<Integer> fetching,
                                    int want) {
        // what this peer was given earlier but no longer fetches (it failed or gave it up) is free again
        b.registry.entrySet().removeIf(e -> e.getValue().peer().equals(p.id) && !fetching.contains(e.getKey()));
        pending.keySet().removeIf(k -> k.requester().equals(p.id) && k.blob().equals(digest)
                && !fetching.contains(k.index()));
        int mineAtRegistry = (int) blobs.values().stream().flatMap(x -> x.registry.values().stream())
                .filter(f -> f.peer().equals(p.id)).count();
        long now = nanos.getAsLong();
        Map<String, Integer> load = loads();
        List<Assignment> out = new ArrayList<>();
        for (int i = 0; i < b.layout.count() && out.size() < want; i++) {
            if (have.contains(i) || fetching.contains(i)) {
                continue;
            }
            List<String> holders = b.holders.getOrDefault(i, Set.of()).stream()
                    .filter(h -> !h.equals(p.id)).toList();
            List<String> free = holders.stream()
                    .filter(h -> load.getOrDefault(h, 0) < policy.uploadSlots())
                    .sorted(Comparator.comparingInt((String h) -> load.getOrDefault(h, 0))
                            .thenComparingLong(h -> -peers.get(h).lastSeen))
                    .limit(policy.maxParents()).toList();
            if (!free.isEmpty()) {
                pending.put(new PendingKey(p.id, digest, i), new Pending(free.getFirst(),
                        now + policy.registryTimeout().toNanos()));
                load.merge(free.getFirst(), 1, Integer::sum);
                out.add(new Assignment(i, b.digests[i], Wire.PEERS,
                        free.stream().map(h -> peers.get(h).ref()).toList()));
                continue;
            }
            if (!holders.isEmpty()) {
                continue; // every holder is busy: the next announce or finished upload brings a free one
            }
            Fetch f = b.registry.get(i);
            if (f != null || mineAtRegistry >= policy.registryBatch()
                    || b.registry.size() >= policy.registryPerBlob()) {
                continue; // exactly one peer fetches a piece from the registry
            }
            b.registry.put(i, new Fetch(p.id, now + policy.registryTimeout().toNanos()));
            mineAtRegistry++;
            out.add(new Assignment(i, b.digests[i], Wire.REGISTRY, List.of()));
        }
        return out;
    }

    private Map<String, Integer> loads() {
        Map<String, Integer> load = new HashMap<>();
        pending.values().forEach(v -> load.merge(v.parent(), 1, Integer::sum));
        return load;
    }

    /** Records verified pieces (an empty map is a heartbeat); a digest that contradicts the first one is ignored. */
    void announce(AnnounceRequest r) {
        checkPeer(r.peer());
        checkBlob(r.blob());
        PieceLayout layout = new PieceLayout(r.size(), r.pieceSize());
        Map<String, String> pieces = r.pieces() == null ? Map.of() : r.pieces();
        lock.lock();
        try {
            Peer p = touch(r.peer());
            if (pieces.isEmpty()) {
                return;
            }
            Blob b = blob(r.blob(), layout);
            for (Map.Entry<String, String> e : pieces.entrySet()) {
                int i = parseIndex(e.getKey(), layout);
                if (!DIGEST.matcher(e.getValue()).matches()) {
                    throw new IllegalArgumentException("piece " + i + " has no sha256 digest: " + e.getValue());
                }
                Fetch f = b.registry.get(i);
                if (f != null && f.peer().equals(p.id)) {
                    b.registry.remove(i);
                }
                pending.remove(new PendingKey(p.id, r.blob(), i));
                if (b.digests[i] != null && !b.digests[i].equals(e.getValue())) {
                    LOG.warning("peer " + p.id + " at " + p.address + " announced " + e.getValue() + " for piece " + i
                            + " of " + r.blob() + ", which others announced as " + b.digests[i] + ": not offered");
                    continue;
                }
                b.digests[i] = e.getValue();
                if (!banned.contains(p.id)) {
                    b.holders.computeIfAbsent(i, k -> new LinkedHashSet<>()).add(p.id);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A peer reported as serving a piece that does not match the digest announced for it: checked before a ban. */
    record Suspect(PeerRef peer, String blob, int index, int length, String digest) {
    }

    /** What the scheduler's own fetch of a suspect's piece showed. */
    enum Verdict { MISMATCH, MATCH, UNSERVED }

    /**
     * A digest mismatch names a suspect for the caller to check (one member's word alone bans nobody); "missing"
     * forgets the bad peer's holdings of the blob at once.
     *
     * @return the suspect to check, at the address the scheduler knows it by; empty when there is nothing to check
     * @throws IllegalArgumentException a mismatch report for a piece without an announced digest
     */
    Optional<Suspect> report(ReportRequest r) {
        checkPeer(r.peer());
        checkPeer(r.bad());
        checkBlob(r.blob());
        lock.lock();
        try {
            touch(r.peer());
            if (banned.contains(r.peer().id()) || r.peer().id().equals(r.bad().id())) {
                return Optional.empty();
            }
            Blob b = blobs.get(r.blob());
            if (Wire.DIGEST_MISMATCH.equals(r.reason())) {
                if (b == null || !b.layout.valid(r.index()) || b.digests[r.index()] == null) {
                    throw new IllegalArgumentException("piece " + r.index() + " of " + r.blob()
                            + " has no announced digest to mismatch");
                }
                Peer bad = peers.get(r.bad().id());
                if (bad == null || banned.contains(bad.id)) {
                    return Optional.empty();
                }
                return Optional.of(new Suspect(bad.ref(), r.blob(), r.index(), b.layout.length(r.index()),
                        b.digests[r.index()]));
            }
            if (Wire.MISSING.equals(r.reason()) && b != null) {
                b.holders.values().forEach(x -> x.remove(r.bad().id()));
                changed.signalAll();
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Applies the check of a suspect: a mismatch bans it (none of its pieces is offered again); a piece it would not
     * serve is no longer offered from it; a match leaves it be.
     */
    void verdict(Suspect s, Verdict v) {
        lock.lock();
        try {
            switch (v) {
                case MISMATCH -> {
                    if (banned.add(s.peer().id())) {
                        LOG.warning("banned peer " + s.peer().id() + " at " + s.peer().address() + ": it served piece "
                                + s.index() + " of " + s.blob() + " not matching " + s.digest());
                    }
                    blobs.values().forEach(x -> x.holders.values().forEach(h -> h.remove(s.peer().id())));
                }
                case UNSERVED -> {
                    Blob b = blobs.get(s.blob());
                    if (b != null) {
                        b.holders.getOrDefault(s.index(), new HashSet<>()).remove(s.peer().id());
                    }
                }
                case MATCH -> LOG.info("peer " + s.peer().id() + " was reported for piece " + s.index() + " of "
                        + s.blob() + " but serves it intact");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void leave(PeerRef peer) {
        checkPeer(peer);
        lock.lock();
        try {
            retire(peer.id());
        } finally {
            lock.unlock();
        }
    }

    /** Retires peers not heard from within the peer timeout and gives up overdue registry fetches and loads. */
    void sweep() {
        lock.lock();
        try {
            long now = nanos.getAsLong();
            List<String> dead = peers.values().stream()
                    .filter(p -> now - p.lastSeen > policy.peerTimeout().toNanos()).map(p -> p.id).toList();
            dead.forEach(id -> {
                LOG.info("retired peer " + id + " at " + peers.get(id).address + ": not heard from in "
                        + policy.peerTimeout().toSeconds() + "s");
                retire(id);
            });
            boolean expired = pending.values().removeIf(v -> now - v.deadline() > 0);
            for (Iterator<Blob> it = blobs.values().iterator(); it.hasNext(); ) {
                Blob b = it.next();
                expired |= b.registry.values().removeIf(f -> now - f.deadline() > 0);
                b.holders.values().removeIf(Set::isEmpty);
                if (b.holders.isEmpty() && b.registry.isEmpty()) {
                    it.remove();
                }
            }
            if (expired) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean banned(String peerId) {
        lock.lock();
        try {
            return banned.contains(peerId);
        } finally {
            lock.unlock();
        }
    }

    /** Live peers known, for tests and logs. */
    Set<String> peers() {
        lock.lock();
        try {
            return Set.copyOf(peers.keySet());
        } finally {
            lock.unlock();
        }
    }

    private void retire(String id) {
        if (peers.remove(id) == null) {
            return;
        }
        for (Blob b : blobs.values()) {
            b.holders.values().forEach(s -> s.remove(id));
            b.registry.values().removeIf(f -> f.peer().equals(id));
        }
        pending.entrySet().removeIf(e -> e.getKey().requester().equals(id) || e.getValue().parent().equals(id));
        changed.signalAll();
    }

    private Peer touch(PeerRef ref) {
        long now = nanos.getAsLong();
        Peer p = peers.computeIfAbsent(ref.id(), id -> new Peer(id, ref.address(), now));
        p.lastSeen = now;
        if (ref.address() != null && !ref.address().isBlank()) {
            p.address = ref.address();
        }
        return p;
    }

    private Blob blob(String digest, PieceLayout layout) {
        Blob b = blobs.computeIfAbsent(digest, k -> new Blob(layout));
        if (!b.layout.equals(layout)) {
            throw new IllegalArgumentException("blob " + digest + " is known as " + b.layout.size() + " bytes in "
                    + b.layout.pieceSize() + "-byte pieces, not " + layout.size() + " in " + layout.pieceSize());
        }
        return b;
    }

    private static int parseIndex(String s, PieceLayout layout) {
        try {
            int i = Integer.parseInt(s);
            if (layout.valid(i)) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new IllegalArgumentException("no piece " + s + " in a blob of " + layout.count() + " pieces");
    }

    private static void checkPeer(PeerRef p) {
        if (p == null || p.id() == null || p.id().isBlank()) {
            throw new IllegalArgumentException("peer.id is required");
        }
    }

    private static void checkBlob(String blob) {
        if (blob == null || !DIGEST.matcher(blob).matches()) {
            throw new IllegalArgumentException("blob must be a sha256 digest, not " + blob);
        }
    }
}
