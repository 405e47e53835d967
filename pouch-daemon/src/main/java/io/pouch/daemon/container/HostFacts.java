package io.pouch.daemon.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Reads once what this host lets containers have (see DESIGN.md: no CAP_SYS_RESOURCE here). */
final class HostFacts {
    private static final Map<String, String> LIMIT_NAMES = Map.ofEntries(
            Map.entry("Max cpu time", "RLIMIT_CPU"), Map.entry("Max file size", "RLIMIT_FSIZE"),
            Map.entry("Max data size", "RLIMIT_DATA"), Map.entry("Max stack size", "RLIMIT_STACK"),
            Map.entry("Max core file size", "RLIMIT_CORE"), Map.entry("Max resident set", "RLIMIT_RSS"),
            Map.entry("Max processes", "RLIMIT_NPROC"), Map.entry("Max open files", "RLIMIT_NOFILE"),
            Map.entry("Max locked memory", "RLIMIT_MEMLOCK"), Map.entry("Max address space", "RLIMIT_AS"),
            Map.entry("Max file locks", "RLIMIT_LOCKS"), Map.entry("Max pending signals", "RLIMIT_SIGPENDING"),
            Map.entry("Max msgqueue size", "RLIMIT_MSGQUEUE"), Map.entry("Max nice priority", "RLIMIT_NICE"),
            Map.entry("Max realtime priority", "RLIMIT_RTPRIO"), Map.entry("Max realtime timeout", "RLIMIT_RTTIME"));

    private HostFacts() {
    }

    static OciSpecBuilder.Host read() {
        Set<String> caps = Capabilities.hostBoundingSet();
        return new OciSpecBuilder.Host(caps, caps.contains("CAP_SYS_RESOURCE"), hardLimits(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Hard limits from /proc/self/limits; "unlimited" is left out (nothing to exceed). */
    static Map<String, Long> hardLimits() {
        Map<String, Long> out = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                for (Map.Entry<String, String> e : LIMIT_NAMES.entrySet()) {
                    if (line.startsWith(e.getKey() + " ")) {
                        String[] f = line.substring(e.getKey().length()).trim().split("\\s+");
                        if (f.length >= 2 && f[1].matches("\\d+")) {
                            out.put(e.getValue(), Long.parseLong(f[1]));
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // no /proc: no checks, runc will report
        }
        return Map.copyOf(out);
    }
}
