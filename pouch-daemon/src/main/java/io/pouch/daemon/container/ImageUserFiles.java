package io.pouch.daemon.container;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The /etc/passwd and /etc/group an image's layers hold, per image chain: what a new container's user resolves
 * against before it has written anything of its own, read once from the first snapshot made on the image.
 * Bounded: the least recently used images are forgotten (reading them again costs two small file reads).
 */
final class ImageUserFiles {
    /** The two files' contents; either null when the image has none. */
    record Files(String passwd, String group) {
    }

    private static final int MAX_IMAGES = 64;

    private final Map<String, Files> byChain = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Files> eldest) {
            return size() > MAX_IMAGES;
        }
    };

    /** The files of the image whose top layer's chain id is {@code chainId}, or null when not read yet. */
    synchronized Files get(String chainId) {
        return chainId == null ? null : byChain.get(chainId);
    }

    /**
     * Reads the files from {@code imageLayers} (the image's read-only layers, topmost first: never a container's
     * own writable layer) unless they are known already.
     */
    void remember(String chainId, List<Path> imageLayers) {
        if (chainId == null || get(chainId) != null) {
            return;
        }
        Files f = new Files(RootfsFiles.read(imageLayers, "etc/passwd"), RootfsFiles.read(imageLayers, "etc/group"));
        synchronized (this) {
            byChain.put(chainId, f);
        }
    }
}
