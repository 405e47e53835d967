package io.pouch.daemon.lxcfs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.List;

/**
 * The files LXCFS virtualizes for the reading process's cgroup, and where a container sees them: each is
 * bind-mounted from the LXCFS mount over the container's own procfs or sysfs file. Pure: no I/O.
 */
public final class LxcfsFiles {
    /**
     * The container paths; the source of each is the same path under the LXCFS mount. The /proc ones are the files
     * runc allows a bind over; {@code cpu/online} is what glibc's {@code get_nprocs_conf} and most runtimes read
     * for the CPU count ({@code nproc} itself follows the cpuset through the affinity mask).
     */
    public static final List<String> PATHS = List.of("/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/swaps",
            "/proc/uptime", "/proc/diskstats", "/proc/loadavg", "/sys/devices/system/cpu/online");

    private LxcfsFiles() {
    }

    /** One bind: {@code source} on the host (under the LXCFS mount), {@code destination} in the container. */
    public record FileBind(Path source, String destination) {
    }

    /** The binds of every virtualized file from the LXCFS mount at {@code home}. */
    public static List<FileBind> binds(Path home) {
        return PATHS.stream().map(p -> new FileBind(home.resolve(p.substring(1)), p)).toList();
    }

    /**
     * Appends the read-only binds to the spec's {@code mounts}, after the proc and sysfs mounts they cover (runc
     * mounts in order). Private propagation: a remount after an LXCFS restart replaces them from pouchd.
     */
    public static void addTo(ObjectNode spec, Path home) {
        ArrayNode mounts = spec.withArray("/mounts");
        for (FileBind b : binds(home)) {
            ObjectNode m = mounts.addObject();
            m.put("destination", b.destination());
            m.put("type", "bind");
            m.put("source", b.source().toString());
            m.putArray("options").add("rbind").add("rprivate").add("ro");
        }
    }
}
