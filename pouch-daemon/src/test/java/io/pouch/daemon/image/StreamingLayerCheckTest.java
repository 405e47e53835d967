package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.SnapshotMounts;
import io.pouch.testing.Await;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingLayerCheckTest {
    @TempDir
    Path dir;

    private static byte[] tar(String name, int size) throws IOException {
        byte[] data = new byte[size];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(size);
            t.putArchiveEntry(e);
            t.write(data);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private static void feed(StreamingLayerCheck c, byte[] blob, long from, int chunk) {
        for (int off = (int) from; off < blob.length; off += chunk) {
            byte[] piece = Arrays.copyOfRange(blob, off, Math.min(blob.length, off + chunk));
            c.accept(off, piece, piece.length);
        }
    }

    @Test
    void streamedResultEqualsTheCheckOfTheWholeBlob() throws IOException {
        for (byte[] blob : new byte[][]{tar("a.bin", 3 << 20), gzip(tar("b.bin", 1 << 20))}) {
            LayerCheck.Result whole = LayerCheck.check(new ByteArrayInputStream(blob), "x");
            StreamingLayerCheck c = new StreamingLayerCheck("x");
            feed(c, blob, 0, 100_000);
            LayerCheck.Result streamed = c.result(dir.resolve("unused"));
            assertEquals(whole, streamed);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // without the give-up the download would wait here for ever
    void aDownloadWhoseSnapshotNeverComesStopsWaitingAndIsCheckedOnly() throws Exception {
        // more than the queue holds (32 buffers of 1 MiB): the download would wait for its parent's snapshot forever
        byte[] blob = tar("big.bin", 40 << 20);
        UnpackHandoff handoff = new UnpackHandoff(); // never offered a snapshot
        StreamingLayerCheck c = new StreamingLayerCheck("x", true, handoff);
        long t0 = System.nanoTime();
        feed(c, blob, 0, 1 << 20);
        long waited = System.nanoTime() - t0;
        LayerCheck.Result r = c.result(null);
        assertEquals(LayerCheck.check(new ByteArrayInputStream(blob), "x").diffId(), r.diffId());
        assertTrue(waited >= StreamingLayerCheck.UNPACK_WAIT_NANOS, "it waited for the snapshot first");
        assertNull(handoff.unpacked());
        assertFalse(handoff.touched(), "nothing was written: the prepared snapshot can take containerd's Apply");
        // a snapshot offered afterwards is refused: the chain side then applies the blob itself
        assertFalse(handoff.offer(new UnpackTarget("c", "k", SnapshotMounts.of(List.of()))));
    }

    private static byte[] zstd(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var z = new org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void theCheckEndsOnceTheInputEndedWithoutWaitingForItsResultToBeAsked() throws Exception {
        byte[] blob = gzip(tar("c.bin", 2 << 20));
        StreamingLayerCheck c = new StreamingLayerCheck("x", true);
        feed(c, blob, 0, 64 << 10);
        Await.holds(Duration.ofMillis(200), () -> !c.finished(), "more bytes may come: the check waits for them");
        c.inputEnded();
        c.inputEnded(); // twice is once
        Await.until(Duration.ofSeconds(10), c::finished,
                "the end of the check (the pull commits the blob meanwhile: the check must not wait for result())");
        assertEquals(LayerCheck.check(new ByteArrayInputStream(blob), "x").diffId(), c.result(null).diffId());
    }

    @Test
    void zstdLayersGetTheDiffIdOfTheirTarAndOcisMediaType() throws IOException {
        byte[] plain = tar("z.bin", 2 << 20);
        LayerCheck.Result r = LayerCheck.check(new ByteArrayInputStream(zstd(plain)), "x");
        assertEquals(LayerCheck.check(new ByteArrayInputStream(plain), "x").diffId(), r.diffId());
        assertTrue(r.zstd());
        assertEquals("application/vnd.oci.image.layer.v1.tar+zstd", r.mediaType());
        assertEquals(plain.length, r.uncompressedSize());
        assertEquals(ArchiveLoader.DOCKER_LAYER_GZIP, LayerCheck.check(new ByteArrayInputStream(gzip(plain)), "x").mediaType());
    }

    @Test
    void withoutDiffIdTheEntriesAreStillChecked() throws IOException {
        StreamingLayerCheck c = new StreamingLayerCheck("x", false);
        byte[] blob = tar("a.bin", 1 << 20);
        feed(c, Arrays.copyOf(blob, 300_000), 0, 100_000);
        feed(c, blob, 0, 100_000); // started over without a file: the check starts over too
        LayerCheck.Result r = c.result(null);
        assertEquals(null, r.diffId());
        assertEquals(blob.length, r.uncompressedSize());
        byte[] junk = new byte[1 << 20];
        new Random(3).nextBytes(junk);
        StreamingLayerCheck bad = new StreamingLayerCheck("layer y", false);
        feed(bad, junk, 0, 128 << 10);
        assertThrows(PouchException.class, () -> bad.result(null));
    }

    @Test
    void aDownloadThatStartsOverIsCheckedFromTheFile() throws IOException {
        byte[] blob = tar("a.bin", 1 << 20);
        Path file = Files.write(dir.resolve("blob"), blob);
        StreamingLayerCheck c = new StreamingLayerCheck("x");
        feed(c, Arrays.copyOf(blob, 300_000), 0, 100_000);
        feed(c, blob, 0, 100_000); // the registry ignored Range: offset 0 again
        assertEquals(LayerCheck.check(new ByteArrayInputStream(blob), "x"), c.result(file));
    }

    @Test
    void garbageIsRefusedWithoutBlockingTheFeeder() {
        byte[] junk = new byte[8 << 20];
        new Random(1).nextBytes(junk);
        StreamingLayerCheck c = new StreamingLayerCheck("layer x");
        feed(c, junk, 0, 128 << 10);
        PouchException e = assertThrows(PouchException.class, () -> c.result(dir.resolve("unused")));
        assertTrue(e.getMessage().contains("not a valid tar"), e.getMessage());
    }
}
