package io.pouch.daemon;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** pouchd's flags as Pouch names them, keyed like the config file for the loader. */
class PouchFlagsTest {
    private static Pouchd parse(String... args) {
        Pouchd p = new Pouchd();
        new CommandLine(p).parseArgs(args);
        return p;
    }

    @Test
    void pouchsNamesAndShortFlags() {
        Pouchd p = parse("-c", "/run/containerd.sock", "-D", "--registry-mirrors", "https://m.example.com",
                "--insecure-registries", "reg:5000");
        assertEquals("/run/containerd.sock", p.givenFlags().get("containerd"));
        assertEquals(true, p.givenFlags().get("debug"));
        assertEquals(List.of("https://m.example.com"), p.registryFlags().get("registry-mirrors"));
        assertEquals(List.of("reg:5000"), p.registryFlags().get("insecure-registries"));
    }

    @Test
    void operationFlagsAreKeyedLikeTheFile() {
        Pouchd p = parse("--label", "a=b,c=d", "--label", "e=f", "--cgroup-parent", "/kube", "--oom-score-adj", "-5",
                "--log-level", "warn", "--enable-profiler", "--snapshotter", "overlayfs", "--manager-whitelist", "ops");
        assertEquals(Map.of("label", List.of("a=b", "c=d", "e=f"), "cgroup-parent", "/kube", "oom-score-adjust", -5,
                "log-level", "warn", "enable-profiler", true, "snapshotter", "overlayfs"), p.pouchFlags.given());
        assertEquals(Map.of("manager-whitelist", "ops"), p.pouchFlags.tls());
        assertEquals(Map.of(), parse().pouchFlags.given());
    }

    @Test
    void p2pFlagsAreKeyedLikeTheFilesObject() {
        Pouchd p = parse("--p2p-enable", "--p2p-scheduler", "10.1.0.1:65001", "--p2p-scheduler-listen", "0.0.0.0:65001",
                "--p2p-listen", "0.0.0.0:65002", "--p2p-advertise", "10.1.0.5:65002", "--p2p-ca", "/c", "--p2p-cert",
                "/t", "--p2p-key", "/k", "--p2p-token", "tok", "--p2p-piece-size", "4MiB", "--p2p-upload-rate-limit",
                "100MiB", "--p2p-max-parents", "4");
        assertEquals(Map.ofEntries(Map.entry("enable", true), Map.entry("scheduler", "10.1.0.1:65001"),
                Map.entry("scheduler-listen", "0.0.0.0:65001"), Map.entry("listen", "0.0.0.0:65002"),
                Map.entry("advertise", "10.1.0.5:65002"), Map.entry("ca-file", "/c"), Map.entry("cert-file", "/t"),
                Map.entry("key-file", "/k"), Map.entry("token", "tok"), Map.entry("piece-size", "4MiB"),
                Map.entry("upload-rate-limit", "100MiB"), Map.entry("max-parents", 4)), p.p2pFlags.given());
        assertEquals(Map.of(), parse().p2pFlags.given());
        assertEquals(Map.of("enable", false), parse("--p2p-enable=false").p2pFlags.given());
    }
}
