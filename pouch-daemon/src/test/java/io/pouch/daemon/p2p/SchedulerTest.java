package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.AnnounceRequest;
import io.pouch.daemon.p2p.Wire.Assignment;
import io.pouch.daemon.p2p.Wire.PeerRef;
import io.pouch.daemon.p2p.Wire.ReportRequest;
import io.pouch.daemon.p2p.Wire.ScheduleRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler's decisions, on a clock the test moves. */
class SchedulerTest {
    private static final String BLOB = "sha256:" + "ab".repeat(32);
    private static final String D0 = "sha256:" + "00".repeat(32);
    private static final String D1 = "sha256:" + "11".repeat(32);
    private static final int PIECE = 1024;
    private static final long SIZE = 6 * PIECE;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Scheduler.Policy policy = new Scheduler.Policy(Duration.ofSeconds(5), Duration.ofSeconds(60), 2, 1,
            2, 4, 8);
    private final Scheduler s = new Scheduler(policy, now::get);
    private final PeerRef a = peer("a");
    private final PeerRef b = peer("b");
    private final PeerRef c = peer("c");

    private static PeerRef peer(String id) {
        return new PeerRef(id, "127.0.0.1:" + (1000 + id.charAt(0)));
    }

    private List<Assignment> ask(PeerRef p, List<Integer> have, List<Integer> fetching) throws InterruptedException {
        return s.schedule(new ScheduleRequest(p, BLOB, SIZE, PIECE, have, fetching, 0, 0, false)).pieces();
    }

    private void announce(PeerRef p, int index, String digest) {
        s.announce(new AnnounceRequest(p, BLOB, SIZE, PIECE, Map.of(Integer.toString(index), digest)));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void exactlyOnePeerFetchesEachPieceFromTheRegistry() throws Exception {
        List<Assignment> first = ask(a, List.of(), List.of());
        assertEquals(List.of(0, 1), first.stream().map(Assignment::index).toList(), "the registry batch");
        assertTrue(first.stream().allMatch(x -> x.source().equals(Wire.REGISTRY)));
        List<Assignment> second = ask(b, List.of(), List.of());
        assertEquals(List.of(2, 3), second.stream().map(Assignment::index).toList(),
                "pieces a fetches are not given to b");
        assertEquals(List.of(), ask(a, List.of(), List.of(0, 1)), "a's batch is full while it fetches");
        assertEquals(List.of(), ask(c, List.of(), List.of()), "4 pieces of the blob are at the registry already");
        announce(a, 0, D0);
        assertEquals(List.of(4), ask(c, List.of(0), List.of()).stream().map(Assignment::index).toList(),
                "one finished: one more may go");
    }

    @Test
    void anAnnouncedPieceIsOfferedFromItsHolderWithItsDigest() throws Exception {
        ask(a, List.of(), List.of());
        announce(a, 0, D0);
        List<Assignment> got = ask(b, List.of(), List.of());
        Assignment p0 = got.getFirst();
        assertEquals(0, p0.index());
        assertEquals(Wire.PEERS, p0.source());
        assertEquals(D0, p0.digest());
        assertEquals(List.of(a), p0.peers());
    }

    @Test
    void aBusyHolderIsNotNamedAndTheLeastLoadedComesFirst() throws Exception {
        announce(a, 0, D0);
        announce(b, 0, D0);
        Assignment forC = ask(c, List.of(), List.of()).getFirst();
        PeerRef firstParent = forC.peers().getFirst();
        assertEquals(2, forC.peers().size());
        PeerRef d = peer("d");
        Assignment forD = ask(d, List.of(), List.of()).getFirst();
        assertEquals(0, forD.index());
        assertEquals(1, forD.peers().size(), "the holder already serving c has no free slot");
        assertFalse(forD.peers().contains(firstParent));
        PeerRef e = peer("e");
        assertTrue(ask(e, List.of(), List.of()).stream().noneMatch(x -> x.index() == 0),
                "both holders busy: piece 0 waits");
        announce(c, 0, D0); // c got it: its parent's slot is free again, and c holds it too
        assertEquals(0, ask(e, List.of(), List.of()).getFirst().index());
    }

    @Test
    void aDeadPeersRegistryPiecesGoToSomeoneElse() throws Exception {
        ask(a, List.of(), List.of());
        advance(Duration.ofSeconds(3));
        ask(b, List.of(), List.of(2, 3)); // b alive, a silent
        advance(Duration.ofSeconds(3));
        List<Assignment> got = ask(b, List.of(), List.of(2, 3));
        assertEquals(List.of(0, 1), got.stream().map(Assignment::index).toList());
        assertFalse(s.peers().contains("a"), "a retired");
    }

    @Test
    void aRegistryFetchNotAnnouncedInTimeIsGivenToAnother() throws Exception {
        ask(a, List.of(), List.of());
        for (int t = 0; t < 13; t++) { // both keep asking, a never finishes
            advance(Duration.ofSeconds(5));
            ask(a, List.of(), List.of(0, 1));
            ask(b, List.of(), List.of(2, 3));
        }
        List<Assignment> got = ask(b, List.of(), List.of());
        assertTrue(got.stream().anyMatch(x -> x.index() == 0 && x.source().equals(Wire.REGISTRY)));
    }

    @Test
    void aPieceAPeerDroppedIsAssignedAgain() throws Exception {
        ask(a, List.of(), List.of());
        List<Assignment> again = ask(a, List.of(), List.of(1)); // it no longer fetches 0
        assertEquals(0, again.getFirst().index());
        assertEquals(Wire.REGISTRY, again.getFirst().source());
    }

    @Test
    void aPeerThatGivesTheBlobUpFreesItsRegistryPiecesAtOnce() throws Exception {
        ask(a, List.of(), List.of());
        assertEquals(List.of(), s.schedule(new ScheduleRequest(a, BLOB, SIZE, PIECE, List.of(), List.of(), 0, 0,
                true)).pieces(), "a stopping is given nothing new");
        List<Assignment> got = ask(b, List.of(), List.of());
        assertEquals(List.of(0, 1), got.stream().map(Assignment::index).toList());
    }

    @Test
    void aReportedDigestMismatchBansThePeerAndHidesItsPieces() throws Exception {
        announce(a, 0, D0);
        announce(a, 1, D1);
        Scheduler.Suspect suspect = s.report(new ReportRequest(b, new PeerRef("a", "10.9.9.9:1"), BLOB, 0,
                Wire.DIGEST_MISMATCH)).orElseThrow();
        assertEquals(new Scheduler.Suspect(a, BLOB, 0, PIECE, D0), suspect, "checked at the address a announced from");
        assertFalse(s.banned("a"), "a report alone bans nobody");
        s.verdict(suspect, Scheduler.Verdict.MISMATCH);
        assertTrue(s.banned("a"));
        List<Assignment> got = ask(b, List.of(), List.of());
        assertTrue(got.stream().noneMatch(x -> x.peers().contains(a)), got.toString());
        announce(a, 2, D0);
        assertTrue(ask(c, List.of(), List.of()).stream().noneMatch(x -> x.peers().contains(a)));
    }

    @Test
    void aSuspectThatServesThePieceIntactStaysAndOneThatWouldNotServeItIsNotOfferedForIt() throws Exception {
        announce(a, 0, D0);
        Scheduler.Suspect suspect = s.report(new ReportRequest(b, a, BLOB, 0, Wire.DIGEST_MISMATCH)).orElseThrow();
        s.verdict(suspect, Scheduler.Verdict.MATCH);
        assertFalse(s.banned("a"));
        assertEquals(List.of(a), ask(c, List.of(), List.of()).getFirst().peers());
        s.verdict(suspect, Scheduler.Verdict.UNSERVED);
        assertFalse(s.banned("a"));
        assertEquals(Wire.REGISTRY, ask(peer("d"), List.of(), List.of()).getFirst().source());
    }

    @Test
    void aMismatchReportWithoutAnAnnouncedDigestIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> s.report(new ReportRequest(b, a, BLOB, 0, Wire.DIGEST_MISMATCH)));
        assertFalse(s.banned("a"));
    }

    @Test
    void aMissingReportForgetsTheHoldingWithoutABan() throws Exception {
        announce(a, 0, D0);
        s.report(new ReportRequest(b, a, BLOB, 0, Wire.MISSING));
        assertFalse(s.banned("a"));
        assertEquals(Wire.REGISTRY, ask(b, List.of(), List.of()).getFirst().source());
    }

    @Test
    void aContradictingDigestIsNotOffered() throws Exception {
        announce(a, 0, D0);
        announce(b, 0, D1);
        assertEquals(List.of(a), ask(c, List.of(), List.of()).getFirst().peers());
    }

    @Test
    void leavingForgetsEverythingThePeerHeld() throws Exception {
        announce(a, 0, D0);
        s.leave(a);
        assertEquals(Wire.REGISTRY, ask(b, List.of(), List.of()).getFirst().source());
    }

    @Test
    void aPeerWithEveryPieceGetsAnEmptyAnswerAtOnce() throws Exception {
        assertEquals(List.of(), ask(a, List.of(0, 1, 2, 3, 4, 5), List.of()));
    }

    @Test
    void aDifferentLayoutOfAKnownBlobIsRefused() throws Exception {
        ask(a, List.of(), List.of());
        assertThrows(IllegalArgumentException.class,
                () -> s.schedule(new ScheduleRequest(b, BLOB, SIZE + 1, PIECE, List.of(), List.of(), 0, 0,
                        false)));
        assertThrows(IllegalArgumentException.class,
                () -> s.schedule(new ScheduleRequest(b, "latest", SIZE, PIECE, List.of(), List.of(), 0, 0,
                        false)));
    }

    @Test
    void aWaitingLongPollWakesOnAnnounce() throws Exception {
        Scheduler live = new Scheduler(new Scheduler.Policy(Duration.ofSeconds(20), Duration.ofSeconds(60), 2, 4, 8,
                8, 8));
        long one = PIECE;
        live.schedule(new ScheduleRequest(a, BLOB, one, PIECE, List.of(), List.of(), 0, 0, false));
        CompletableFuture<List<Assignment>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return live.schedule(new ScheduleRequest(b, BLOB, one, PIECE, List.of(), List.of(), 9000, 0,
                        false)).pieces();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(waiting.isDone());
        live.announce(new AnnounceRequest(a, BLOB, one, PIECE, Map.of("0", D0)));
        List<Assignment> got = waiting.get(5, TimeUnit.SECONDS); // well before the 9 s wait
        assertEquals(List.of(a), got.getFirst().peers());
    }
}
