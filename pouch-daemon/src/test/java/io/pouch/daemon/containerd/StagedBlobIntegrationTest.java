package io.pouch.daemon.containerd;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Blobs staged beside a real containerd's local content store and handed over by a hard link and a data-less
 * commit (containerd's "shared" content policy), against a private containerd under /tmp.
 */
@Tag("integration")
class StagedBlobIntegrationTest {
    private static Path CTD;
    private static PrivateContainerd privateCtd;
    private static Containerd ctd;
    private static LocalContentStore store;
    private static Content content;
    private static Leases leaseService;
    private final List<String> leases = new ArrayList<>();

    @BeforeAll
    static void startContainerd() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")) || Files.isExecutable(Path.of("/usr/local/bin/containerd")),
                "needs containerd");
        privateCtd = PrivateContainerd.startFresh("staged-ctd-", "staged-test");
        CTD = privateCtd.dir();
        ctd = privateCtd.client();
        assumeTrue(privateCtd.up(), "private containerd did not come up");
        store = LocalContentStore.of(CTD.resolve("root"), CTD.resolve("staging")).orElseThrow();
        content = new Content(ctd, Optional.of(store));
        leaseService = new Leases(ctd);
    }

    @AfterAll
    static void stopContainerd() throws Exception {
        if (privateCtd != null) {
            privateCtd.close();
        }
    }

    @AfterEach
    void endLeases() throws Exception {
        // a synchronous delete: containerd collects every blob a test stored (only its lease held them)
        for (String l : leases) {
            leaseService.delete(l, true);
        }
        assertTrue(isEmpty(store.staging()), "a staged file was left behind");
    }

    private String lease() {
        String l = leaseService.create("staged-test-" + UUID.randomUUID(), Duration.ofDays(1));
        leases.add(l);
        return l;
    }

    private static boolean isEmpty(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static Path backing(String digest) {
        return store.blobs().resolve("sha256").resolve(digest.substring(7));
    }

    private static void writeInPieces(BlobSink sink, byte[] data, int piece) {
        for (int at = 0; at < data.length; at += piece) {
            sink.write(at, data, at, Math.min(piece, data.length - at));
        }
    }

    @Test
    void aStagedBlobBecomesTheStoresBlobWithoutContainerdCopyingIt() throws Exception {
        byte[] data = random(3 << 20, 1);
        String digest = sha256(data);
        String lease = lease();
        StagedBlob sink = assertInstanceOf(StagedBlob.class, content.ingest(lease, digest, data.length));
        writeInPieces(sink, data, 1 << 20);
        Object stagedInode = Files.getAttribute(sink.stagedFile(), "unix:ino");
        sink.commit(Map.of("io.pouch.test", "staged"));

        var info = content.info(digest).orElseThrow();
        assertEquals(data.length, info.size());
        assertEquals("staged", info.labels().get("io.pouch.test"));
        assertEquals("pouchd", info.labels().get(Content.STAGED_BY));
        assertArrayEquals(data, content.read(digest));
        // the very file pouchd wrote, read-only as containerd leaves its blobs; the staged name is gone
        assertEquals(stagedInode, Files.getAttribute(backing(digest), "unix:ino"));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(backing(digest))));
        assertFalse(Files.exists(sink.stagedFile()));

        // containerd's garbage collector owns it now: the lease's end takes it, bytes and all
        leaseService.delete(lease, true);
        assertTrue(content.info(digest).isEmpty());
        assertFalse(Files.exists(backing(digest)));
    }

    @Test
    void aBlobWhoseBytesAreNotTheDigestIsRefusedAndNothingIsStored() throws Exception {
        byte[] data = random(1 << 20, 2);
        String digest = sha256(random(1 << 20, 3));
        BlobSink sink = content.ingest(lease(), digest, data.length);
        writeInPieces(sink, data, 300_000);
        ContainerdException e = assertThrows(ContainerdException.class, () -> sink.commit(Map.of()));
        assertEquals(ContainerdException.Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.description().contains("expected " + digest), e.description());
        assertTrue(content.info(digest).isEmpty());
        assertFalse(Files.exists(backing(digest)));
    }

    @Test
    void aShortOrLongBlobIsRefused() throws Exception {
        byte[] data = random(1000, 4);
        String digest = sha256(data);
        BlobSink shortOne = content.ingest(lease(), digest, data.length);
        shortOne.write(0, data, 0, 999);
        assertThrows(PouchException.class, () -> shortOne.commit(Map.of()));
        BlobSink longOne = content.ingest(lease(), digest, 999);
        assertThrows(PouchException.class, () -> longOne.write(0, data, 0, 1000));
        longOne.abort();
        assertTrue(content.info(digest).isEmpty());
    }

    @Test
    void aDownloadThatStartsOverKeepsOnlyTheNewBytes() throws Exception {
        byte[] data = random(2 << 20, 5);
        String digest = sha256(data);
        BlobSink sink = content.ingest(lease(), digest, data.length);
        sink.write(0, random(1 << 20, 6), 0, 1 << 20); // a broken first attempt
        writeInPieces(sink, data, 1 << 20);
        sink.commit(Map.of());
        assertArrayEquals(data, content.read(digest));
    }

    @Test
    void anAbortedBlobLeavesNothing() throws Exception {
        byte[] data = random(1 << 20, 7);
        String digest = sha256(data);
        BlobSink sink = content.ingest(lease(), digest, data.length);
        sink.write(0, data, 0, 4096);
        sink.abort();
        assertTrue(content.info(digest).isEmpty());
        assertFalse(Files.exists(backing(digest)));
    }

    @Test
    void aBlobTheNamespaceHasIsReportedAsThere() throws Exception {
        byte[] data = random(100_000, 8);
        String digest = sha256(data);
        String lease = lease();
        BlobSink first = content.ingest(lease, digest, data.length);
        writeInPieces(first, data, 65536);
        first.commit(Map.of());
        BlobSink second = content.ingest(lease, digest, data.length);
        writeInPieces(second, data, 65536);
        ContainerdException e = assertThrows(ContainerdException.class, () -> second.commit(Map.of()));
        assertEquals(ContainerdException.Code.ALREADY_EXISTS, e.code());
        assertArrayEquals(data, content.read(digest));
    }

    @Test
    void aFileOfPouchdsOwnIsLinkedInWithoutACopyAndStaysItsOwn() throws Exception {
        byte[] data = random(2 << 20, 10);
        String digest = sha256(data);
        Path own = Files.write(CTD.resolve("spooled-layer"), data);
        try {
            String lease = lease();
            content.storeOwnFile(lease, digest, data.length, own, Map.of());
            assertEquals(Files.getAttribute(own, "unix:ino"), Files.getAttribute(backing(digest), "unix:ino"));
            assertEquals("pouchd", content.info(digest).orElseThrow().labels().get(Content.STAGED_BY));
            assertArrayEquals(data, content.read(digest));
            assertArrayEquals(data, Files.readAllBytes(own)); // still the caller's to read (and remove)
            // a second store of the same blob adopts it under the other lease
            String other = lease();
            content.storeOwnFile(other, digest, data.length, own, Map.of());
            leaseService.delete(lease, true);
            assertArrayEquals(data, content.read(digest));
            // a size that is not the file's is refused before anything is stored
            byte[] more = random(1000, 11);
            Path wrong = Files.write(CTD.resolve("spooled-wrong"), more);
            try {
                assertThrows(PouchException.class, () -> content.storeOwnFile(lease(), sha256(more), 999, wrong, Map.of()));
                assertTrue(content.info(sha256(more)).isEmpty());
            } finally {
                Files.delete(wrong);
            }
        } finally {
            Files.delete(own);
        }
    }

    @Test
    void blobsStagedWhileContainerdCollectsGarbageAreAllThere() throws Exception {
        // containerd sweeps its backing store whenever a blob record goes: here one goes every few milliseconds while
        // blobs are staged, so links are made, and commits sent, while sweeps run. Whatever the interleaving, a
        // committed blob must be readable whole (a record without its bytes would be a lost image).
        String lease = lease();
        AtomicBoolean stop = new AtomicBoolean();
        Thread collector = Thread.ofVirtual().start(() -> {
            for (long i = 0; !stop.get(); i++) {
                try {
                    byte[] junk = random(4096, 1_000_000 + i);
                    String l = leaseService.create("staged-gc-" + UUID.randomUUID(), Duration.ofDays(1));
                    content.write(l, sha256(junk), junk.length, () -> new ByteArrayInputStream(junk), Map.of());
                    leaseService.delete(l, true);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        Map<String, byte[]> stored = new LinkedHashMap<>();
        try {
            for (int i = 0; i < 150; i++) {
                byte[] data = random(65536, 2_000_000 + i);
                String digest = sha256(data);
                BlobSink sink = content.ingest(lease, digest, data.length);
                writeInPieces(sink, data, 16384);
                sink.commit(Map.of());
                stored.put(digest, data);
            }
        } finally {
            stop.set(true);
            collector.join();
        }
        for (Map.Entry<String, byte[]> e : stored.entrySet()) {
            assertArrayEquals(e.getValue(), content.read(e.getKey()), e.getKey());
            assertTrue(Files.exists(backing(e.getKey())), e.getKey());
        }
    }

    @Test
    void aBlobContainerdDoesNotFindGoesThroughContentWrite() throws Exception {
        // links land in a directory containerd does not read (as when its collector removed the link before the
        // commit): containerd answers the data-less commit with OUT_OF_RANGE, twice, and the bytes are streamed
        Path decoy = CTD.resolve("decoy");
        LocalContentStore elsewhere = new LocalContentStore(decoy.resolve("blobs"), store.staging());
        Content viaDecoy = new Content(ctd, Optional.of(elsewhere));
        byte[] data = random(5 << 20, 9);
        String digest = sha256(data);
        BlobSink sink = viaDecoy.ingest(lease(), digest, data.length);
        writeInPieces(sink, data, 1 << 20);
        sink.commit(Map.of("io.pouch.test", "streamed"));
        assertArrayEquals(data, content.read(digest));
        var info = content.info(digest).orElseThrow();
        assertEquals("streamed", info.labels().get("io.pouch.test"));
        assertFalse(info.labels().containsKey(Content.STAGED_BY));
        // containerd's own copy, not the staged file
        assertFalse(Files.getAttribute(backing(digest), "unix:ino")
                .equals(Files.getAttribute(decoy.resolve("blobs/sha256").resolve(digest.substring(7)), "unix:ino")));
        try (var walk = Files.walk(decoy)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
