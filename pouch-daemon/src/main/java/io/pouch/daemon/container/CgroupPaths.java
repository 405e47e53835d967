package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

/**
 * Where a container's cgroup is, relative to each hierarchy's root: {@code /pouch/<id>}, or
 * {@code <CgroupParent>/<id>} (cgroupfs driver, as dockerd: any directory path, a {@code x.slice} name being
 * just a directory there). A parent with {@code ..} is refused: the path is untrusted and must stay under
 * the hierarchy it names.
 */
final class CgroupPaths {
    static final String DEFAULT_PARENT = "/pouch";

    private CgroupPaths() {
    }

    /** The parent cgroup, absolute, without a trailing slash. */
    static String parent(HostConfig hc) {
        String p = hc == null ? null : hc.cgroupParent();
        if (p == null || p.isEmpty()) {
            return DEFAULT_PARENT;
        }
        StringBuilder out = new StringBuilder();
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                throw PouchException.invalidArgument("invalid CgroupParent \"" + p + "\": it must not contain \"..\"");
            }
            out.append('/').append(seg);
        }
        return out.isEmpty() ? DEFAULT_PARENT : out.toString();
    }

    /** The container's cgroup, {@code linux.cgroupsPath} of its spec. */
    static String of(HostConfig hc, String id) {
        return parent(hc) + "/" + id;
    }
}
