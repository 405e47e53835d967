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
}
