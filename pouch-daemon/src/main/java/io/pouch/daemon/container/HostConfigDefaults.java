package io.pouch.daemon.container;

import io.pouch.api.container.HostConfig;

import java.util.List;
import java.util.Map;

/** A requested {@code HostConfig} with Docker's stored defaults filled in, so that inspect echoes what is used. */
final class HostConfigDefaults {
    /** Docker's default {@code /dev/shm} size. */
    static final long SHM_SIZE = 64L << 20;

    private HostConfigDefaults() {
    }

    static HostConfig normalize(HostConfig h) {
        HostConfig.LogConfig lc = h.logConfig();
        Map<String, String> logOptions = lc == null || lc.config() == null ? Map.of() : lc.config();
        String logType = lc == null || lc.type() == null || lc.type().isEmpty() ? null : lc.type();
        HostConfig.RestartPolicy rp = h.restartPolicy() == null || empty(h.restartPolicy().name())
                ? new HostConfig.RestartPolicy("no", 0) : h.restartPolicy();
        return h.toBuilder()
                .containerIdFile(orEmpty(h.containerIdFile()))
                .logConfig(new HostConfig.LogConfig(logType, logOptions))
                .networkMode(empty(h.networkMode()) ? "default" : h.networkMode())
                .portBindings(h.portBindings() == null ? Map.of() : h.portBindings())
                .restartPolicy(rp)
                .volumeDriver(orEmpty(h.volumeDriver()))
                .dns(orEmpty(h.dns()))
                .dnsOptions(orEmpty(h.dnsOptions()))
                .dnsSearch(orEmpty(h.dnsSearch()))
                .ipcMode(empty(h.ipcMode()) ? "private" : h.ipcMode())
                .pidMode(orEmpty(h.pidMode()))
                .utsMode(orEmpty(h.utsMode()))
                .shmSize(h.shmSize() > 0 ? h.shmSize() : SHM_SIZE)
                .runtime(empty(h.runtime()) ? null : h.runtime())
                .cgroupParent(orEmpty(h.cgroupParent()))
                .cpusetCpus(orEmpty(h.cpusetCpus()))
                .cpusetMems(orEmpty(h.cpusetMems()))
                .build();
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static List<String> orEmpty(List<String> l) {
        return l == null ? List.of() : l;
    }
}
