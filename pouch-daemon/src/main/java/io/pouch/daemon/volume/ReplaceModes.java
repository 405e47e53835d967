package io.pouch.daemon.volume;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Pouch's replace modes of a volume mount ({@code -v VOLUME:/dst:dr} or {@code :rr}): the container gets a
 * directory inside the volume instead of the whole volume. {@code dr} ("direct replace") is the directory named by
 * the destination ({@code <volume>/dst}), shared by every container that mounts the same destination that way;
 * {@code rr} ("random replace") is a directory of the container's own, a random name drawn at create and kept in
 * the mount plan, so restarts and {@code --volumes-from} use the same one (as Pouch keeps it in the mount's
 * source). The directory is made inside the volume without following
 * symbolic links: the volume's content is written by containers, and a link there must not lead the mount out.
 */
final class ReplaceModes {
    static final String DIRECT = "dr";
    static final String RANDOM = "rr";
    private static final SecureRandom RANDOM_BYTES = new SecureRandom();

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

    /** A new name for an {@code rr} directory. */
    static String randomName() {
        byte[] b = new byte[32];
        RANDOM_BYTES.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A {@code --volumes-from} mode override ({@code ro}/{@code rw}) with the source mount's replace mode kept. */
    static String keep(String mode, String override) {
        String replace = of(mode);
        return replace == null ? override : override + "," + replace;
    }

    /**
     * The directory inside {@code volumeDir} the container mounts, created when missing.
     *
     * @param randomName the {@code rr} directory's name from the plan ({@link #randomName})
     */
    static Path source(Path volumeDir, String replace, String destination, String randomName) {
        String inside = switch (replace) {
            case DIRECT -> destination.replaceFirst("^/+", "");
            case RANDOM -> {
                if (randomName == null || !randomName.matches("[0-9a-f]{64}")) { // from a plan file: checked
                    throw PouchException.internal("the rr directory of " + destination + " has a bad name in the"
                            + " mount plan: " + randomName, null);
                }
                yield randomName;
            }
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

}
