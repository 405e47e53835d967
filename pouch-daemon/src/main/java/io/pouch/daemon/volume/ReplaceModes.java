package io.pouch.daemon.volume;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Pouch's replace modes of a volume mount ({@code -v VOLUME:/dst:dr} or {@code :rr}): the container gets a
 * directory inside the volume instead of the whole volume. {@code dr} ("direct replace") is the directory named by
 * the destination ({@code <volume>/dst}), shared by every container that mounts the same destination that way;
 * {@code rr} ("random replace") is a directory of the container's own, named by a digest of its id and the
 * destination, so it stays the same across restarts. The directory is made inside the volume without following
 * symbolic links: the volume's content is written by containers, and a link there must not lead the mount out.
 */
final class ReplaceModes {
    static final String DIRECT = "dr";
    static final String RANDOM = "rr";

    private ReplaceModes() {
    }

    /** The replace mode of a mount's mode string ({@code rw,dr}), or null. */
    static String of(String mode) {
        if (mode == null || mode.isEmpty()) {
            return null;
        }
        for (String o : mode.split(",")) {
            if (o.equals(DIRECT) || o.equals(RANDOM)) {
                return o;
            }
        }
        return null;
    }

    /** The directory inside {@code volumeDir} the container mounts, created when missing. */
    static Path source(Path volumeDir, String replace, String destination, String containerId) {
        String inside = switch (replace) {
            case DIRECT -> destination.replaceFirst("^/+", "");
            case RANDOM -> digest(containerId + ":" + destination);
            default -> throw new IllegalArgumentException(replace);
        };
        Path at = volumeDir;
        for (Path seg : Path.of(inside)) {
            String s = seg.toString();
            if (s.equals("..") || s.equals(".")) { // destinations are normalised: never here
                throw PouchException.invalidArgument("invalid mount destination " + destination);
            }
            at = at.resolve(s);
            if (Files.isSymbolicLink(at)) {
                throw PouchException.invalidArgument("cannot mount " + destination + " in " + replace + " mode: "
                        + at + " in the volume is a symbolic link");
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(at);
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile: checked below
                } catch (IOException e) {
                    throw PouchException.internal("cannot create " + at + " for " + destination + " in "
                            + replace + " mode: " + e.getMessage(), e);
                }
            }
            if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                throw PouchException.invalidArgument("cannot mount " + destination + " in " + replace + " mode: "
                        + at + " in the volume is not a directory");
            }
        }
        return at;
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
