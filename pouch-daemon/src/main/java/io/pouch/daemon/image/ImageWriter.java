package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.Snapshots;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;

/**
 * Writes an image read from an upload or made by a commit ({@link PendingImage}) into containerd under a lease: the
 * layer blobs, the layers unpacked into snapshots, then config and manifest with the GC labels that keep all of it
 * once an image record names the manifest. The records are {@link ImageStore}'s.
 */
final class ImageWriter {
    private static final Logger LOG = Logger.getLogger(ImageWriter.class.getName());
    static final String GC_REF_CONFIG = "containerd.io/gc.ref.content.config";
    static final String GC_REF_LAYER = "containerd.io/gc.ref.content.l.";
    static final String GC_REF_SNAPSHOT = "containerd.io/gc.ref.snapshot." + Snapshots.SNAPSHOTTER;

    private final Content content;
    private final LayerSnapshots layers;

    ImageWriter(Content content, LayerSnapshots layers) {
        this.content = content;
        this.layers = layers;
    }

    /**
     * Stores the layer blobs while the layers unpack from the same spooled files, then config and manifest. A
     * snapshot pouchd unpacked needs only its diff id; containerd's Apply (the fallback) reads the stored blob, so it
     * waits for the blobs. Returns the manifest digest.
     */
    String write(String lease, PendingImage p) throws IOException {
        long t0 = System.nanoTime();
        List<String> chainIds = p.chainIds();
        try (ExecutorService blobWriter = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> blobs = blobWriter.submit(() -> {
                for (PendingImage.Layer l : p.layers()) {
                    // the spooled file, hashed by pouchd while it was spooled: linked into the store, not copied
                    content.storeOwnFile(lease, l.digest(), l.size(), l.file(), Map.of());
                }
                return System.nanoTime();
            });
            try {
                String parent = "";
                for (int i = 0; i < p.layers().size(); i++) {
                    unpackLayer(lease, p.layers().get(i), chainIds.get(i), parent, () -> awaitStored(blobs));
                    parent = chainIds.get(i);
                }
                long t1 = awaitStored(blobs);
                long t2 = System.nanoTime();
                LOG.fine(() -> "store: blobs written in " + (t1 - t0) / 1_000_000 + " ms, layers unpacked in "
                        + (t2 - t0) / 1_000_000 + " ms");
            } finally {
                blobs.cancel(true);
            }
        }
        return writeImageBlobs(lease, p);
    }

    /** Waits for a store's layer blobs; returns when they were done. */
    private static long awaitStored(Future<Long> blobs) throws IOException {
        try {
            return blobs.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while storing layers", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw PouchException.internal("storing layers failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The image's config (labelled with its top snapshot) and manifest (labelled with config and layers) into the
     * content store under {@code lease}: once a record names the manifest, these labels keep everything. Returns
     * the manifest digest.
     */
    String writeImageBlobs(String lease, PendingImage p) throws IOException {
        List<String> chainIds = p.chainIds();
        Map<String, String> configLabels = chainIds.isEmpty() ? Map.of() : Map.of(GC_REF_SNAPSHOT, chainIds.getLast());
        Map<String, String> manifestLabels = new HashMap<>();
        manifestLabels.put(GC_REF_CONFIG, p.configDigest());
        for (int i = 0; i < p.layers().size(); i++) {
            manifestLabels.put(GC_REF_LAYER + i, p.layers().get(i).digest());
        }
        String manifestDigest = ChainIds.sha256(p.manifest());
        // the two blobs are independent under the lease: written side by side
        try (ExecutorService both = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> config = both.submit(() -> {
                content.writeNew(lease, p.configDigest(), p.config().length,
                        () -> new ByteArrayInputStream(p.config()), configLabels);
                return 0L;
            });
            content.writeNew(lease, manifestDigest, p.manifest().length, () -> new ByteArrayInputStream(p.manifest()),
                    manifestLabels);
            awaitStored(config);
        }
        return manifestDigest;
    }

    /** What must hold before containerd's Apply may read a layer's stored blob. */
    @FunctionalInterface
    private interface BlobsStored {
        void await() throws IOException;
    }

    /**
     * Unpacks one stored layer: by pouchd as it reads {@code l.file()} ({@link LayerUnpacker}), else by containerd's
     * Apply ({@link LayerSnapshots#finish}) once {@code stored} says its blob is in the store.
     */
    private void unpackLayer(String lease, PendingImage.Layer l, String chainId, String parent, BlobsStored stored)
            throws IOException {
        UnpackTarget target = layers.prepare(lease, chainId, parent);
        UnpackHandoff handoff = null;
        String unpacked = null;
        // a layer whose blob was in the store already (a commit's, a load's known one) has no file here: Apply
        if (LayerUnpacker.ENABLED && target.key() != null && l.file() != null && Files.isRegularFile(l.file())) {
            handoff = new UnpackHandoff();
            handoff.offer(target);
            try (InputStream in = Files.newInputStream(l.file())) {
                LayerCheck.check(in, "layer " + l.digest(), true, handoff);
                unpacked = handoff.unpacked();
            } catch (IOException | RuntimeException e) {
                layers.abandon(target);
                throw e;
            }
        }
        if (unpacked == null) {
            stored.await(); // containerd's Apply reads the stored blob
        }
        layers.finish(lease, target, handoff, unpacked, parent, new Descriptor(l.mediaType(), l.digest(), l.size()),
                l.diffId());
    }
}
