package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.util.Set;

/**
 * One {@code -v /host:/ctr[:opts]} bind. Only host paths: a source that is not absolute (a named volume) is
 * refused. Create plans every user mount through the volume package instead; the upgrade still checks the
 * stored binds with this parser before it changes anything.
 *
 * @param mode the options as the user wrote them (shown in inspect's Mounts)
 */
public record Bind(Path source, String destination, boolean readOnly, String propagation, String mode) {
    private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave",
            "rslave");

    public static Bind parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw PouchException.invalidArgument("invalid volume specification: '" + spec + "'");
        }
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw PouchException.invalidArgument("invalid volume specification: '" + spec + "'");
        }
        String src = parts[0];
        String dst = parts[1];
        if (!src.startsWith("/")) {
            throw PouchException.invalidArgument("invalid volume specification: '" + spec
                    + "': named volumes are not supported yet, give an absolute host path");
        }
        if (!dst.startsWith("/")) {
            throw PouchException.invalidArgument("invalid volume specification: '" + spec
                    + "': invalid mount config: invalid mount path: '" + dst + "' mount path must be absolute");
        }
        Path dstPath = Path.of(dst).normalize();
        if (dstPath.toString().equals("/")) {
            throw PouchException.invalidArgument("invalid volume specification: '" + spec
                    + "': invalid mount config: destination can't be '/'");
        }
        boolean ro = false;
        String propagation = "rprivate";
        String mode = parts.length == 3 ? parts[2] : "";
        if (!mode.isEmpty()) {
            boolean rwSeen = false;
            for (String opt : mode.split(",")) {
                switch (opt) {
                    case "ro" -> {
                        if (rwSeen) {
                            throw PouchException.invalidArgument("invalid mode: " + mode);
                        }
                        ro = true;
                        rwSeen = true;
                    }
                    case "rw" -> {
                        if (rwSeen) {
                            throw PouchException.invalidArgument("invalid mode: " + mode);
                        }
                        rwSeen = true;
                    }
                    case "z", "Z", "nocopy" -> {
                        // SELinux relabelling and volume copy-up: nothing to do for host binds here
                    }
                    default -> {
                        if (!PROPAGATIONS.contains(opt)) {
                            throw PouchException.invalidArgument("invalid mode: " + mode);
                        }
                        propagation = opt;
                    }
                }
            }
        }
        return new Bind(Path.of(src).normalize(), dstPath.toString(), ro, propagation, mode);
    }
}
