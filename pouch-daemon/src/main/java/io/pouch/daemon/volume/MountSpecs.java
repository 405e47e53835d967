package io.pouch.daemon.volume;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parsing and validation of the ways a mount is asked for: {@code -v} ({@code HostConfig.Binds}), {@code --mount}
 * ({@code HostConfig.Mounts}), {@code --tmpfs} ({@code HostConfig.Tmpfs}), and anonymous {@code Config.Volumes}.
 * Pure, apart from {@code --mount type=bind} checking that its source exists (docker refuses it otherwise).
 * Errors use docker's words.
 */
public final class MountSpecs {
    static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");
    private static final Set<String> IGNORED_MODES = Set.of("z", "Z", "consistent", "cached", "delegated");

    private MountSpecs() {
    }

    /** One {@code -v [SRC:]DST[:OPTS]} value; {@code volumeDriver} is HostConfig.VolumeDriver (may be empty). */
    public static PlannedMount parseBind(String spec, String volumeDriver) {
        if (spec == null || spec.isBlank()) {
            throw invalidSpec(spec, null);
        }
        String[] parts = spec.split(":", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw invalidSpec(spec, null);
            }
        }
        String src;
        String dst;
        String mode;
        switch (parts.length) {
            case 1 -> {
                src = "";
                dst = parts[0];
                mode = "";
            }
            case 2 -> {
                src = parts[0];
                dst = parts[1];
                mode = "";
            }
            case 3 -> {
                src = parts[0];
                dst = parts[1];
                mode = parts[2];
            }
            default -> throw invalidSpec(spec, null);
        }
        String destination = destination(dst, spec);
        boolean bind = src.startsWith("/");
        if (!bind && !src.isEmpty() && !VolumeNames.valid(src)) {
            throw invalidSpec(spec, "\"" + src + "\" includes invalid characters for a local volume name, only"
                    + " \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use"
                    + " absolute path");
        }
        boolean rw = true;
        boolean rwSeen = false;
        boolean nocopy = false;
        String replace = null;
        String propagation = bind ? "rprivate" : "";
        if (!mode.isEmpty()) {
            for (String opt : mode.split(",")) {
                if (opt.equals("ro") || opt.equals("rw")) {
                    if (rwSeen) {
                        throw invalidMode(spec, mode);
                    }
                    rwSeen = true;
                    rw = opt.equals("rw");
                } else if (opt.equals("nocopy") && !bind) {
                    nocopy = true;
                } else if (opt.equals(ReplaceModes.DIRECT) || opt.equals(ReplaceModes.RANDOM)) {
                    if (bind) {
                        throw invalidSpec(spec, "mode " + opt + " mounts a directory inside a volume, not a host"
                                + " path");
                    }
                    if (replace != null) {
                        throw invalidMode(spec, mode);
                    }
                    replace = opt;
                } else if (PROPAGATIONS.contains(opt) && bind) {
                    propagation = opt;
                } else if (!IGNORED_MODES.contains(opt)) {
                    throw invalidMode(spec, mode);
                }
            }
        }
        if (bind) {
            Path s = Path.of(src).normalize();
            return new PlannedMount("bind", null, s.toString(), destination, null, mode, rw, propagation, false,
                    false, true, null, null, null, false);
        }
        // null: the existing volume's driver, else local (an explicit driver must match an existing volume's)
        String driver = volumeDriver == null || volumeDriver.isEmpty() ? null : volumeDriver;
        // rr: the container's own directory in the volume, drawn now so restarts and --volumes-from keep it
        String inside = ReplaceModes.RANDOM.equals(replace) ? ReplaceModes.randomName() : "";
        return new PlannedMount("volume", src.isEmpty() ? null : src, inside, destination, driver,
                mode.isEmpty() ? "z" : mode, rw, "", !nocopy, src.isEmpty(), false, null, null, null, false);
    }

    /** An anonymous volume at {@code path} ({@code Config.Volumes}, the image's VOLUME). */
    public static PlannedMount anonymous(String path, String volumeDriver) {
        String destination = destination(path, path);
        String driver = volumeDriver == null || volumeDriver.isEmpty() ? null : volumeDriver;
        return new PlannedMount("volume", null, "", destination, driver, "", true, "", true, true, false, null,
                null, null, false);
    }

    /** One {@code HostConfig.Mounts} entry. */
    public static PlannedMount parseMount(HostConfig.Mount m) {
        String type = m.type() == null ? "" : m.type();
        String target = m.target() == null ? "" : m.target();
        String src = m.source() == null ? "" : m.source();
        String prefix = "invalid mount config for type \"" + type + "\": ";
        if (!Set.of("bind", "volume", "tmpfs").contains(type)) {
            throw PouchException.invalidArgument(prefix + "mount type unknown");
        }
        if (target.isEmpty()) {
            throw PouchException.invalidArgument(prefix + "field Target must not be empty");
        }
        if (!target.startsWith("/")) {
            throw PouchException.invalidArgument(prefix + "invalid mount path: '" + target
                    + "' mount path must be absolute");
        }
        String destination = Path.of(target).normalize().toString();
        if (destination.equals("/")) {
            throw PouchException.invalidArgument(prefix + "invalid specification: destination can't be '/'");
        }
        switch (type) {
            case "bind" -> {
                if (m.volumeOptions() != null) {
                    throw PouchException.invalidArgument(prefix + "field VolumeOptions must not be specified");
                }
                if (m.tmpfsOptions() != null) {
                    throw PouchException.invalidArgument(prefix + "field TmpfsOptions must not be specified");
                }
                if (src.isEmpty()) {
                    throw PouchException.invalidArgument(prefix + "field Source must not be empty");
                }
                if (!src.startsWith("/")) {
                    throw PouchException.invalidArgument(prefix + "invalid mount path: '" + src
                            + "' mount path must be absolute");
                }
                Path s = Path.of(src).normalize();
                if (!Files.exists(s)) {
                    throw PouchException.invalidArgument(prefix + "bind source path does not exist: " + s);
                }
                String prop = m.bindOptions() == null || m.bindOptions().propagation() == null
                        || m.bindOptions().propagation().isEmpty() ? "rprivate" : m.bindOptions().propagation();
                if (!PROPAGATIONS.contains(prop)) {
                    throw PouchException.invalidArgument(prefix + "invalid propagation mode: " + prop);
                }
                return new PlannedMount("bind", null, s.toString(), destination, null, "", !m.readOnly(), prop,
                        false, false, false, null, null, null, false);
            }
            case "volume" -> {
                if (m.bindOptions() != null) {
                    throw PouchException.invalidArgument(prefix + "field BindOptions must not be specified");
                }
                if (m.tmpfsOptions() != null) {
                    throw PouchException.invalidArgument(prefix + "field TmpfsOptions must not be specified");
                }
                if (!src.isEmpty() && !VolumeNames.valid(src)) {
                    throw PouchException.invalidArgument(prefix + "invalid volume name \"" + src + "\": only"
                            + " \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed");
                }
                HostConfig.VolumeOptions vo = m.volumeOptions();
                String driver = vo != null && vo.driverConfig() != null && vo.driverConfig().name() != null
                        && !vo.driverConfig().name().isEmpty() ? vo.driverConfig().name() : null;
                Map<String, String> opts = vo != null && vo.driverConfig() != null
                        && vo.driverConfig().options() != null ? Map.copyOf(vo.driverConfig().options()) : Map.of();
                Map<String, String> labels = vo != null && vo.labels() != null ? Map.copyOf(vo.labels()) : Map.of();
                boolean nocopy = vo != null && vo.noCopy();
                return new PlannedMount("volume", src.isEmpty() ? null : src, "", destination, driver, "z",
                        !m.readOnly(), "", !nocopy, src.isEmpty(), false, null, opts, labels, false);
            }
            default -> {
                if (!src.isEmpty()) {
                    throw PouchException.invalidArgument(prefix + "field Source must not be specified");
                }
                if (m.bindOptions() != null || m.volumeOptions() != null) {
                    throw PouchException.invalidArgument(prefix + "field "
                            + (m.bindOptions() != null ? "BindOptions" : "VolumeOptions") + " must not be specified");
                }
                List<String> opts = new ArrayList<>();
                HostConfig.TmpfsOptions to = m.tmpfsOptions();
                if (to != null && to.sizeBytes() < 0) {
                    throw PouchException.invalidArgument(prefix + "invalid tmpfs size: " + to.sizeBytes());
                }
                if (to != null && to.sizeBytes() > 0) {
                    opts.add("size=" + to.sizeBytes());
                }
                if (to != null && to.mode() != 0) {
                    opts.add("mode=" + Integer.toOctalString(to.mode()));
                }
                return new PlannedMount("tmpfs", null, "", destination, null, "", !m.readOnly(), "", false, false,
                        false, String.join(",", opts), null, null, false);
            }
        }
    }

    /** One {@code --tmpfs /path[:opts]} entry (HostConfig.Tmpfs maps the path to its options). */
    public static PlannedMount parseTmpfs(String path, String options) {
        String destination;
        if (path == null || !path.startsWith("/")) {
            throw PouchException.invalidArgument("invalid tmpfs path: '" + path + "' mount path must be absolute");
        }
        destination = Path.of(path).normalize().toString();
        if (destination.equals("/")) {
            throw PouchException.invalidArgument("invalid tmpfs path: destination can't be '/'");
        }
        String opts = options == null ? "" : options;
        boolean rw = true;
        List<String> kept = new ArrayList<>();
        for (String o : opts.isEmpty() ? new String[0] : opts.split(",")) {
            if (o.isEmpty() || o.contains(" ") || o.contains("\n")) {
                throw PouchException.invalidArgument("invalid tmpfs option for " + path + ": '" + o + "'");
            }
            if (o.equals("ro")) {
                rw = false;
            } else if (!o.equals("rw")) {
                if (o.startsWith("size=") && !o.substring(5).matches("\\d+[kKmMgG%]?")) {
                    throw PouchException.invalidArgument("invalid tmpfs option for " + path + ": '" + o + "'");
                }
                kept.add(o);
            }
        }
        return new PlannedMount("tmpfs", null, "", destination, null, opts, rw, "", false, false, false,
                String.join(",", kept), null, null, false);
    }

    /** One {@code --volumes-from CONTAINER[:ro|rw]}: the container reference and the mode override (or null). */
    public static String[] parseVolumesFrom(String spec) {
        if (spec == null || spec.isEmpty()) {
            throw PouchException.invalidArgument("invalid volumes-from: ''");
        }
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            return new String[] {spec, null};
        }
        String mode = spec.substring(colon + 1);
        if (!mode.equals("ro") && !mode.equals("rw")) {
            throw PouchException.invalidArgument("invalid mode: " + mode);
        }
        if (colon == 0) {
            throw PouchException.invalidArgument("invalid volumes-from: '" + spec + "'");
        }
        return new String[] {spec.substring(0, colon), mode};
    }

    private static String destination(String dst, String spec) {
        if (!dst.startsWith("/")) {
            throw invalidSpec(spec, "invalid mount config: invalid mount path: '" + dst
                    + "' mount path must be absolute");
        }
        String d = Path.of(dst).normalize().toString();
        if (d.equals("/")) {
            throw invalidSpec(spec, "invalid mount config: destination can't be '/'");
        }
        return d;
    }

    private static PouchException invalidSpec(String spec, String why) {
        return PouchException.invalidArgument("invalid volume specification: '" + spec + "'"
                + (why == null ? "" : ": " + why));
    }

    private static PouchException invalidMode(String spec, String mode) {
        return PouchException.invalidArgument("invalid volume specification: '" + spec + "': invalid mode: " + mode);
    }
}
