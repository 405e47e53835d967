package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.HostConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docker update} / {@code pouch update} as pure functions: the HostConfig and ContainerConfig after an
 * update, with Docker's rules (a zero or missing value leaves a setting as it is).
 */
final class ResourceUpdates {
    private ResourceUpdates() {
    }

    static boolean isEmpty(ContainerUpdate u) {
        return nz(u.memory()) == 0 && nz(u.memorySwap()) == 0 && nz(u.memoryReservation()) == 0
                && nz(u.nanoCpus()) == 0 && nz(u.cpuShares()) == 0 && nz(u.cpuQuota()) == 0 && nz(u.cpuPeriod()) == 0
                && empty(u.cpusetCpus()) && empty(u.cpusetMems()) && u.pidsLimit() == null
                && (u.blkioWeight() == null || u.blkioWeight() == 0)
                && nz(u.cpuRealtimePeriod()) == 0 && nz(u.cpuRealtimeRuntime()) == 0
                && (u.restartPolicy() == null || empty(u.restartPolicy().name()))
                && (u.env() == null || u.env().isEmpty()) && (u.label() == null || u.label().isEmpty())
                && (u.diskQuota() == null || u.diskQuota().isEmpty());
    }

    /** Whether the update touches a cgroup setting (and so needs the running task updated). */
    static boolean touchesResources(ContainerUpdate u) {
        return nz(u.memory()) != 0 || nz(u.memorySwap()) != 0 || nz(u.memoryReservation()) != 0
                || nz(u.nanoCpus()) != 0 || nz(u.cpuShares()) != 0 || nz(u.cpuQuota()) != 0 || nz(u.cpuPeriod()) != 0
                || !empty(u.cpusetCpus()) || !empty(u.cpusetMems()) || u.pidsLimit() != null
                || (u.blkioWeight() != null && u.blkioWeight() != 0)
                || nz(u.cpuRealtimePeriod()) != 0 || nz(u.cpuRealtimeRuntime()) != 0;
    }

    static HostConfig apply(HostConfig h, ContainerUpdate u) {
        long memory = h.memory();
        long swap = h.memorySwap();
        if (nz(u.memory()) != 0) {
            // moby: a new limit above the swap limit already set needs the swap limit updated with it
            if (u.memory() > h.memorySwap() && h.memorySwap() > 0 && nz(u.memorySwap()) == 0) {
                throw PouchException.conflict("Memory limit should be smaller than already set memoryswap limit,"
                        + " update the memoryswap at the same time");
            }
            memory = u.memory();
        }
        if (nz(u.memorySwap()) != 0) {
            swap = u.memorySwap();
        }
        long nano = h.nanoCpus();
        long quota = h.cpuQuota();
        long period = h.cpuPeriod();
        if (nz(u.nanoCpus()) != 0) {
            if (h.cpuPeriod() != 0 || h.cpuQuota() != 0) {
                throw PouchException.conflict("Conflicting options: Nano CPUs cannot be updated as CPU Period or"
                        + " CPU Quota has already been set");
            }
            nano = u.nanoCpus();
        }
        if (nz(u.cpuQuota()) != 0 || nz(u.cpuPeriod()) != 0) {
            if (h.nanoCpus() != 0 && nz(u.nanoCpus()) == 0) {
                throw PouchException.conflict("Conflicting options: CPU Quota or CPU Period cannot be updated as"
                        + " NanoCPUs has already been set");
            }
            quota = nz(u.cpuQuota()) != 0 ? u.cpuQuota() : quota;
            period = nz(u.cpuPeriod()) != 0 ? u.cpuPeriod() : period;
        }
        HostConfig.RestartPolicy rp = h.restartPolicy();
        if (u.restartPolicy() != null && !empty(u.restartPolicy().name())) {
            if (h.autoRemove()) {
                throw PouchException.invalidArgument("Restart policy cannot be updated because AutoRemove is enabled"
                        + " for the container");
            }
            RestartPolicies.validate(u.restartPolicy(), false);
            rp = u.restartPolicy();
        }
        return h.toBuilder()
                .restartPolicy(rp)
                .cpuShares(nz(u.cpuShares()) != 0 ? u.cpuShares() : h.cpuShares())
                .memory(memory)
                .nanoCpus(nano)
                .cpuPeriod(period)
                .cpuQuota(quota)
                .cpusetCpus(empty(u.cpusetCpus()) ? h.cpusetCpus() : u.cpusetCpus())
                .cpusetMems(empty(u.cpusetMems()) ? h.cpusetMems() : u.cpusetMems())
                .memoryReservation(nz(u.memoryReservation()) != 0 ? u.memoryReservation() : h.memoryReservation())
                .memorySwap(swap)
                .pidsLimit(u.pidsLimit() != null ? u.pidsLimit() : h.pidsLimit())
                .blkioWeight(u.blkioWeight() != null && u.blkioWeight() != 0 ? u.blkioWeight() : h.blkioWeight())
                .cpuRealtimePeriod(nz(u.cpuRealtimePeriod()) != 0 ? u.cpuRealtimePeriod() : h.cpuRealtimePeriod())
                .cpuRealtimeRuntime(nz(u.cpuRealtimeRuntime()) != 0 ? u.cpuRealtimeRuntime() : h.cpuRealtimeRuntime())
                .build();
    }

    /** Pouch's {@code update -e/-l}: KEY=VALUE items replace the same key or are added. */
    static ContainerConfig apply(ContainerConfig c, ContainerUpdate u) {
        List<String> env = c.env() == null ? new ArrayList<>() : new ArrayList<>(c.env());
        if (u.env() != null) {
            for (String e : u.env()) {
                int eq = e.indexOf('=');
                if (eq <= 0) {
                    throw PouchException.invalidArgument("invalid env " + e + ": it must be KEY=VALUE");
                }
                String prefix = e.substring(0, eq + 1);
                env.removeIf(x -> x.startsWith(prefix) || x.equals(e.substring(0, eq)));
                env.add(e);
            }
        }
        Map<String, String> labels = c.labels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(c.labels());
        if (u.label() != null) {
            for (String l : u.label()) {
                int eq = l.indexOf('=');
                if (eq == 0 || l.isEmpty()) {
                    throw PouchException.invalidArgument("invalid label " + l + ": it must be key=value");
                }
                labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
            }
        }
        return c.toBuilder().env(List.copyOf(env)).labels(labels).build();
    }

    private static long nz(Long v) {
        return v == null ? 0 : v;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
