package io.pouch.daemon.volume;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Pouch's own options of a {@code local} volume. {@code mount=<host dir>} keeps the volume's data in that
 * directory (created when missing, as Pouch does): it is bind-mounted on the volume's {@code _data} while a
 * container uses the volume, so the volume's mountpoint stays under the volumes root and removing the volume never
 * deletes the host directory the request named. {@code selector.<key>} options (Pouch's {@code volume create
 * --selector}) choose among storage backends; the local driver has one, so they are refused rather than stored
 * and ignored.
 */
final class LocalVolumeOptions {
    static final String MOUNT = "mount";
    static final String SELECTOR_PREFIX = "selector.";

    private LocalVolumeOptions() {
    }

    /** Refuses every {@code selector.*} option, naming it. */
    static void refuseSelectors(String volume, Map<String, String> o) {
        for (String k : o.keySet()) {
            if (k.startsWith(SELECTOR_PREFIX)) {
                throw PouchException.invalidArgument("create " + volume + ": option \"" + k + "\": volume selectors"
                        + " choose a storage backend, and the " + "local driver has only this host's filesystem;"
                        + " remove the selector");
            }
        }
    }

    /**
     * The host directory {@code mount} names, checked (the path is untrusted): absolute, without {@code ..}, not
     * {@code /}, not inside the volumes root, and not through a symbolic link (a link could be changed to point
     * anywhere before the bind is made). Null when the option is absent.
     */
    static Path mountDir(String volume, Map<String, String> o, Path volumesRoot) {
        String v = o.get(MOUNT);
        if (v == null) {
            return null;
        }
        String bad = "create " + volume + ": invalid option mount=\"" + v + "\": ";
        for (String k : new String[] {"type", "device", "o"}) {
            if (o.containsKey(k)) {
                throw PouchException.invalidArgument(bad + "it cannot be combined with \"" + k + "\" (mount names"
                        + " the directory that holds the volume's data)");
            }
        }
        if (v.isEmpty() || !v.startsWith("/")) {
            throw PouchException.invalidArgument(bad + "it must be an absolute host path");
        }
        for (String seg : v.split("/")) {
            if (seg.equals("..")) {
                throw PouchException.invalidArgument(bad + "it must not contain \"..\"");
            }
        }
        if (v.indexOf('\0') >= 0 || v.contains("\n")) {
            throw PouchException.invalidArgument(bad + "it contains a control character");
        }
        Path p = Path.of(v).normalize();
        if (p.getNameCount() == 0) {
            throw PouchException.invalidArgument(bad + "the host's root directory cannot be a volume");
        }
        Path root = volumesRoot.toAbsolutePath().normalize();
        if (p.startsWith(root) || root.startsWith(p)) {
            throw PouchException.invalidArgument(bad + "it must be outside pouchd's volumes directory " + root);
        }
        Path at = p.getRoot();
        for (Path seg : p) {
            at = at.resolve(seg);
            if (Files.isSymbolicLink(at)) {
                throw PouchException.invalidArgument(bad + at + " is a symbolic link: give the directory it"
                        + " points to");
            }
        }
        return p;
    }

    /** Creates the directory when missing; refuses a path that is not a directory. */
    static void prepare(String volume, Path dir) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw PouchException.invalidArgument("create " + volume + ": invalid option mount=\"" + dir
                        + "\": it is not a directory");
            }
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw PouchException.invalidArgument("create " + volume + ": cannot create the mount directory " + dir
                    + ": " + e.getMessage());
        }
    }
}
