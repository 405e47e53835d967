package io.pouch.daemon.containerd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mounts of a snapshot with the overlay options parsed once: the writable upper directory, the read-only
 * lower directories (topmost first) and the work directory. A snapshot with no parent is a single bind mount of
 * its directory, which then counts as the upper directory.
 *
 * @param upper null for a view or a committed chain (no writable layer)
 * @param work  null where the snapshot has no overlay work directory
 */
public record SnapshotMounts(List<Mount> mounts, Path upper, List<Path> lowers, Path work) {
    public SnapshotMounts {
        mounts = List.copyOf(mounts);
        lowers = List.copyOf(lowers);
    }

    public static SnapshotMounts of(List<Mount> mounts) {
        Path upper = null;
        Path work = null;
        List<Path> lowers = new ArrayList<>();
        for (Mount m : mounts) {
            if (m.type().equals("bind")) {
                if (!m.source().isEmpty()) {
                    if (upper == null && !m.options().contains("ro")) {
                        upper = Path.of(m.source());
                    } else {
                        lowers.add(Path.of(m.source()));
                    }
                }
                continue;
            }
            for (String o : m.options()) {
                if (o.startsWith("upperdir=")) {
                    upper = Path.of(o.substring("upperdir=".length()));
                } else if (o.startsWith("lowerdir=")) {
                    for (String l : o.substring("lowerdir=".length()).split(":")) {
                        if (!l.isEmpty()) {
                            lowers.add(Path.of(l));
                        }
                    }
                } else if (o.startsWith("workdir=")) {
                    work = Path.of(o.substring("workdir=".length()));
                }
            }
        }
        return new SnapshotMounts(mounts, upper, lowers, work);
    }

    /** True when the snapshot is one overlay mount (as the overlayfs snapshotter makes once there is a parent). */
    public boolean isOverlay() {
        return mounts.size() == 1 && mounts.getFirst().type().equals("overlay");
    }

    /** The layer directories, topmost first: the upper directory, then the lower ones. */
    public List<Path> layers() {
        List<Path> all = new ArrayList<>();
        if (upper != null) {
            all.add(upper);
        }
        all.addAll(lowers);
        return all;
    }

    /**
     * The same mounts, read-only, with the upper dir as the top lower layer: mounting them leaves a running
     * container's own overlay mount alone (cp, export and commit read through this).
     */
    public List<Mount> readOnlyView() {
        List<Mount> ro = new ArrayList<>();
        for (Mount m : mounts) {
            List<String> opts = new ArrayList<>();
            if (m.type().equals("overlay")) {
                String up = null;
                String low = null;
                for (String o : m.options()) {
                    if (o.startsWith("upperdir=")) {
                        up = o.substring("upperdir=".length());
                    } else if (o.startsWith("lowerdir=")) {
                        low = o.substring("lowerdir=".length());
                    } else if (!o.startsWith("workdir=")) {
                        opts.add(o);
                    }
                }
                opts.add("lowerdir=" + (up == null ? low : low == null ? up : up + ":" + low));
            } else {
                opts.addAll(m.options());
            }
            opts.add("ro");
            ro.add(new Mount(m.type(), m.source(), m.target(), opts));
        }
        return ro;
    }

    /** Docker's {@code GraphDriver.Data} for an overlay snapshot: LowerDir, UpperDir, WorkDir as present. */
    public Map<String, String> graphDriverData() {
        Map<String, String> data = new LinkedHashMap<>();
        for (Mount m : mounts) {
            for (String o : m.options()) {
                if (o.startsWith("lowerdir=")) {
                    data.put("LowerDir", o.substring("lowerdir=".length()));
                } else if (o.startsWith("upperdir=")) {
                    data.put("UpperDir", o.substring("upperdir=".length()));
                } else if (o.startsWith("workdir=")) {
                    data.put("WorkDir", o.substring("workdir=".length()));
                }
            }
        }
        return data;
    }
}
