package io.pouch.daemon.p2p;

import io.pouch.daemon.registry.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scheduler and four peers in one JVM over loopback with mutual TLS, pulling one multi-piece blob whose
 * "registry" is a range source over bytes in memory that counts what it serves.
 */
class P2pLoopbackTest {
    private static final int PIECE = 256 << 10;
    private static final int SIZE = 25 * PIECE - 12345;
    private static final byte[] BLOB = new byte[SIZE];
    private static final String DIGEST;

    static {
        new Random(42).nextBytes(BLOB);
        DIGEST = Digests.sha256(BLOB);
    }

    @TempDir
    static Path pki;
    static TestPki ca;
    static TestPki.Party member;
    static TestPki.Party stranger;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final ExecutorService pulls = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    static void makeCertificates() throws Exception {
        ca = TestPki.create(pki, "cluster");
        member = ca.issue("member");
        stranger = TestPki.create(pki, "foreign").issue("stranger");
    }

    @AfterEach
    void stop() throws Exception {
        pulls.shutdownNow();
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
    }

    /** The registry: counts the bytes it serves; past {@code gateAt} bytes, reads wait until the gate opens. */
    static final class Registry implements RangeSource {
        final AtomicLong served = new AtomicLong();
        final long gateAt;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);

        Registry(long gateAt) {
            this.gateAt = gateAt;
        }

        @Override
        public byte[] read(long offset, int length) throws IOException {
            if (served.get() >= gateAt) {
                reached.countDown();
                try {
                    if (!open.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("registry gate never opened");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            served.addAndGet(length);
            return Arrays.copyOfRange(BLOB, (int) offset, (int) offset + length);
        }
    }

    /** What a pull handed the sink, checked to arrive strictly in offset order. */
    static final class Output implements Repository.ChunkSink {
        final byte[] bytes = new byte[SIZE];
        long next;

        @Override
        public void accept(long offset, byte[] data, int len) {
            assertEquals(next, offset, "bytes out of order");
            System.arraycopy(data, 0, bytes, (int) offset, len);
            next += len;
        }
    }

    record Pull(Output out, Future<P2pTransfer> transfer) {
    }

    private P2pSettings settings(String scheduler, TestPki.Party party) {
        return new P2pSettings(true, scheduler, "127.0.0.1:0", null, ca.caCert, party.cert(), party.key(), null,
                PIECE, 0, 4);
    }

    private SchedulerServer scheduler() throws IOException {
        SchedulerServer s = SchedulerServer.start("127.0.0.1:0", P2pSecurity.mutualTls(ca.caCert, member.cert(),
                member.key()), new Scheduler.Policy(Duration.ofSeconds(2), Duration.ofSeconds(20), 4, 4, 2, 8, 8));
        started.add(s);
        return s;
    }

    private P2pPeer peer(SchedulerServer s, int n) throws IOException {
        String at = s == null ? null : "127.0.0.1:" + s.address().getPort();
        P2pPeer p = P2pPeer.start(settings(at, member), new P2pPeer.Tuning(4, 4, 8, Duration.ofMinutes(1), 1L << 30,
                Duration.ofSeconds(10), Duration.ofSeconds(10), 1000), tmp.resolve("spool" + n));
        started.add(p);
        return p;
    }

    private Pull pull(P2pPeer p, RangeSource registry) {
        Output out = new Output();
        return new Pull(out, pulls.submit(() -> p.stream(DIGEST, SIZE, done -> { }, out, registry)));
    }

    private static P2pTransfer complete(Pull pull) throws Exception {
        P2pTransfer t = pull.transfer().get(60, TimeUnit.SECONDS);
        assertArrayEquals(BLOB, pull.out().bytes, "the pull's bytes");
        assertEquals(SIZE, t.fromPeers() + t.fromRegistry(), "every byte came from somewhere, once");
        return t;
    }

    @Test
    void fourPeersGetTheBlobWhileTheRegistryServesItAboutOnce() throws Exception {
        SchedulerServer s = scheduler();
        Registry registry = new Registry(Long.MAX_VALUE);
        List<P2pPeer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(peer(s, i));
        }
        List<Pull> running = peers.stream().map(p -> pull(p, registry)).toList();
        long fromRegistry = 0;
        long fromPeers = 0;
        for (Pull p : running) {
            P2pTransfer t = complete(p);
            fromRegistry += t.fromRegistry();
            fromPeers += t.fromPeers();
        }
        assertEquals(registry.served.get(), fromRegistry, "the peers count what the registry served");
        assertTrue(registry.served.get() <= SIZE * 5L / 4, "registry served " + registry.served.get()
                + " bytes for a " + SIZE + "-byte blob pulled by 4 peers");
        assertTrue(fromPeers >= 2L * SIZE, "peers served " + fromPeers);
        System.out.printf("4 peers pulled a %d-byte blob: %d bytes from the registry, %d from peers%n", SIZE,
                registry.served.get(), fromPeers);
    }

    @Test
    void peersShareOverTheBearerTokenToo() throws Exception {
        SchedulerServer s = SchedulerServer.start("127.0.0.1:0", P2pSecurity.token("t0ken"),
                new Scheduler.Policy(Duration.ofSeconds(2), Duration.ofSeconds(20), 4, 4, 2, 8, 8));
        started.add(s);
        Registry registry = new Registry(Long.MAX_VALUE);
        List<P2pPeer> peers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            P2pPeer p = P2pPeer.start(new P2pSettings(true, "127.0.0.1:" + s.address().getPort(), "127.0.0.1:0",
                    null, null, null, null, "t0ken", PIECE, 0, 4), tmp.resolve("token" + i));
            started.add(p);
            peers.add(p);
        }
        assertEquals(SIZE, complete(pull(peers.get(0), registry)).fromRegistry());
        assertEquals(new P2pTransfer(0, SIZE), complete(pull(peers.get(1), registry)));
    }

    @Test
    void aPeerServingCorruptPiecesIsReportedAndBannedAndNoCorruptByteReachesASink() throws Exception {
        SchedulerServer s = scheduler();
        Registry registry = new Registry(Long.MAX_VALUE);
        P2pPeer bad = peer(s, 0);
        assertEquals(SIZE, complete(pull(bad, registry)).fromRegistry());
        // its disk goes bad under the pieces it announced
        try (FileChannel spool = FileChannel.open(tmp.resolve("spool0").resolve(DIGEST.replace(':', '-') + ".spool"),
                StandardOpenOption.WRITE)) {
            spool.write(ByteBuffer.wrap(new byte[SIZE]), 0);
        }
        P2pPeer b = peer(s, 1);
        P2pPeer c = peer(s, 2);
        Pull pb = pull(b, registry);
        Pull pc = pull(c, registry);
        complete(pb);
        complete(pc);
        // the scheduler checks the report with a fetch of its own before it bans
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!s.scheduler().banned(bad.id()) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        assertTrue(s.scheduler().banned(bad.id()), "the corrupt peer is banned");
        // once banned, its pieces are no longer offered: a later peer gets everything without touching it
        P2pPeer d = peer(s, 3);
        long before = registry.served.get();
        P2pTransfer t = complete(pull(d, registry));
        assertEquals(SIZE, t.fromPeers(), "d took every piece from the good peers");
        assertEquals(before, registry.served.get());
    }

    @Test
    void aPeerKilledMidPullFailsNoOtherPull() throws Exception {
        SchedulerServer s = scheduler();
        Registry registry = new Registry(SIZE / 2);
        List<P2pPeer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add(peer(s, i));
        }
        List<Pull> running = peers.stream().map(p -> pull(p, registry)).toList();
        assertTrue(registry.reached.await(30, TimeUnit.SECONDS), "the pulls got half way");
        peers.getFirst().crash();
        registry.open.countDown();
        for (Pull p : running.subList(1, running.size())) {
            complete(p);
        }
    }

    @Test
    void theSchedulerStoppedMidPullLetsEveryPullCompleteFromTheRegistry() throws Exception {
        SchedulerServer s = scheduler();
        Registry registry = new Registry(SIZE / 2);
        List<P2pPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(peer(s, i));
        }
        List<Pull> running = peers.stream().map(p -> pull(p, registry)).toList();
        assertTrue(registry.reached.await(30, TimeUnit.SECONDS), "the pulls got half way");
        s.close();
        registry.open.countDown();
        for (Pull p : running) {
            complete(p);
        }
    }

    @Test
    void peersOutOfUploadSlotsTurnRequestsAwayAndEveryPullStillCompletes() throws Exception {
        // the scheduler assumes four slots per peer; these have one, so most requests meet a 429
        SchedulerServer s = scheduler();
        Registry registry = new Registry(Long.MAX_VALUE);
        List<P2pPeer> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            P2pPeer p = P2pPeer.start(settings("127.0.0.1:" + s.address().getPort(), member), new P2pPeer.Tuning(1,
                    4, 8, Duration.ofMinutes(1), 1L << 30, Duration.ofSeconds(10), Duration.ofSeconds(10), 1000),
                    tmp.resolve("narrow" + i));
            started.add(p);
            peers.add(p);
        }
        for (Pull p : peers.stream().map(p -> pull(p, registry)).toList()) {
            complete(p);
        }
    }

    @Test
    void withoutASchedulerAPullGoesToTheRegistry() throws Exception {
        Registry registry = new Registry(Long.MAX_VALUE);
        P2pTransfer t = complete(pull(peer(null, 0), registry));
        assertEquals(new P2pTransfer(SIZE, 0), t);
    }
}
