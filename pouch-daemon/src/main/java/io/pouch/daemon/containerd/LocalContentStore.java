package io.pouch.daemon.containerd;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The on-disk side of the supervised containerd's content store, for {@link StagedBlob}: its local store keeps a
 * blob at {@code <root>/io.containerd.content.v1.content/blobs/<algorithm>/<hex>} (the layout containerd documents in
 * its content-flow guide), and pouchd stages blobs in a directory of its own on the same filesystem, so a verified
 * blob enters the backing store by a hard link. Only for a containerd pouchd supervises: it writes that containerd's
 * config (the "shared" content policy a StagedBlob's commit relies on) and owns its root.
 *
 * @param blobs   the local store's {@code blobs} directory
 * @param staging pouchd's staging directory (same filesystem)
 */
public record LocalContentStore(Path blobs, Path staging) {
    private static final Logger LOG = Logger.getLogger(LocalContentStore.class.getName());
    static final String CONTENT_PLUGIN_DIR = "io.containerd.content.v1.content";

    /**
     * The store under {@code containerdRoot} with staging in {@code staging}, or empty when the two are not on one
     * filesystem (a hard link cannot join them: blobs then go through containerd's Content.Write stream).
     */
    public static Optional<LocalContentStore> of(Path containerdRoot, Path staging) {
        Path blobs = containerdRoot.resolve(CONTENT_PLUGIN_DIR).resolve("blobs");
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(staging);
            Object a = Files.getAttribute(blobs, "unix:dev");
            Object b = Files.getAttribute(staging, "unix:dev");
            if (!a.equals(b)) {
                LOG.info("blob staging " + staging + " is not on the filesystem of " + blobs
                        + ": blobs are written through containerd's Content API");
                return Optional.empty();
            }
            return Optional.of(new LocalContentStore(blobs, staging));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warning("containerd's content store at " + blobs + " is not usable for staged blobs (" + e
                    + "): blobs are written through containerd's Content API");
            return Optional.empty();
        }
    }

    /** A new, empty file in the staging directory (made again if pouchd's start-up cleaning removed it). */
    Path newStagingFile() throws IOException {
        Files.createDirectories(staging);
        return Files.createFile(staging.resolve("blob-" + UUID.randomUUID()));
    }

    /**
     * Links the verified, synced {@code staged} file into the backing store as {@code digest}'s blob; a blob already
     * there is left as it is (the backing store holds only verified blobs).
     */
    void link(Path staged, String digest) throws IOException {
        int colon = digest.indexOf(':');
        Path dir = blobs.resolve(digest.substring(0, colon));
        Files.createDirectories(dir);
        try {
            Files.createLink(dir.resolve(digest.substring(colon + 1)), staged);
        } catch (FileAlreadyExistsException present) {
            // another namespace's blob, or one containerd has not collected yet: the same bytes
        }
    }
}
