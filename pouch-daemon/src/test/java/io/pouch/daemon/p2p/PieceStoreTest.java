package io.pouch.daemon.p2p;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spools: what they keep, for how long, within which bound. */
class PieceStoreTest {
    private static final PieceLayout LAYOUT = new PieceLayout(3000, 1024);
    private static final String A = "sha256:" + "aa".repeat(32);
    private static final String B = "sha256:" + "bb".repeat(32);

    @TempDir
    Path dir;
    private final AtomicLong now = new AtomicLong();

    private static byte[] piece(int index, int fill) {
        byte[] b = new byte[LAYOUT.length(index)];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private PieceStore store(long maxBytes) throws Exception {
        return new PieceStore(dir, Duration.ofMinutes(1), maxBytes, now::get);
    }

    @Test
    void aPieceIsServedOnlyOnceItIsWrittenWithItsDigest() throws Exception {
        try (PieceStore store = store(1 << 20)) {
            PieceStore.Spool s = store.acquire(A, LAYOUT);
            assertNull(s.read(2));
            s.write(2, piece(2, 7), Digests.sha256(piece(2, 7)));
            assertArrayEquals(piece(2, 7), s.read(2));
            assertEquals(Map.of(2, Digests.sha256(piece(2, 7))), s.held());
            assertFalse(s.has(0));
        }
    }

    @Test
    void aFinishedBlobStaysServableForItsRetentionThenGoes() throws Exception {
        try (PieceStore store = store(1 << 20)) {
            PieceStore.Spool s = store.acquire(A, LAYOUT);
            s.write(0, piece(0, 1), "sha256:x");
            store.release(s);
            now.addAndGet(Duration.ofSeconds(59).toNanos());
            store.evict();
            assertNotNull(store.find(A));
            now.addAndGet(Duration.ofSeconds(2).toNanos());
            store.evict();
            assertNull(store.find(A));
            assertFalse(Files.exists(s.file), "the spool file is deleted");
        }
    }

    @Test
    void overTheBoundTheOldestFinishedBlobGoesButNeverOneBeingPulled() throws Exception {
        try (PieceStore store = store(2000)) {
            PieceStore.Spool a = store.acquire(A, LAYOUT);
            a.write(0, piece(0, 1), "sha256:x");
            a.write(1, piece(1, 1), "sha256:y");
            store.release(a);
            now.addAndGet(1);
            PieceStore.Spool b = store.acquire(B, LAYOUT);
            b.write(0, piece(0, 2), "sha256:x");
            b.write(1, piece(1, 2), "sha256:y");
            b.write(2, piece(2, 2), "sha256:z");
            store.evict();
            assertNull(store.find(A), "the finished blob made room");
            assertNotNull(store.find(B), "the blob being pulled stays, though it alone is over the bound");
            store.release(b);
            assertNull(store.find(B));
        }
    }

    @Test
    void aReaderInterruptedMidReadDoesNotBreakTheSpoolForOthers() throws Exception {
        try (PieceStore store = store(1 << 20)) {
            PieceStore.Spool s = store.acquire(A, LAYOUT);
            s.write(0, piece(0, 3), "sha256:x");
            Thread reader = Thread.ofVirtual().unstarted(() -> {
                Thread.currentThread().interrupt();
                try {
                    s.read(0);
                } catch (Exception expected) {
                    // ClosedByInterruptException: this reader was cancelled
                }
            });
            reader.start();
            reader.join();
            assertArrayEquals(piece(0, 3), s.read(0));
        }
    }

    @Test
    void spoolsOfAnEarlierRunAreNotTrusted() throws Exception {
        Files.writeString(dir.resolve("sha256-" + "cc".repeat(32) + ".spool"), "stale");
        try (PieceStore store = store(1 << 20)) {
            try (var left = Files.list(dir)) {
                assertTrue(left.findAny().isEmpty());
            }
        }
    }
}
