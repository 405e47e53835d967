package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pouch's own create fields through the pouch CLI and the raw API: the id a create asks for, a container without
 * the network files, annotations in the runtime spec containerd's shim runs, the net_prio priority of the
 * container's interfaces seen from inside it, and the refusals of what this host cannot give (NVIDIA GPUs, Intel
 * RDT) with a 400 naming the field and what is missing.
 */
@Tag("e2e")
class PouchFieldsEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String randomId() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Cmd.Result create(String name, String body) {
        return d.curl("/v1.47/containers/create?name=" + name, "-X", "POST", "-H", "Content-Type: application/json",
                "-d", body);
    }

    @Test
    void aSpecificIdIsTheContainersIdAndATakenOrMalformedOneIsRefused() {
        String id = randomId();
        String n = name("fields-id");
        String other = name("fields-id");
        try {
            assertEquals(id, d.pouch("create", "--name", n, "--specific-id", id, "busybox", "true").ok().trimmed());
            assertEquals(id, d.pouch("inspect", "-f", "{{.Id}}", n).ok().trimmed());
            assertEquals("0", d.pouch("start", "-a", id.substring(0, 12)).exit() + "");

            Cmd.Result taken = create(other, "{\"Image\":\"busybox\",\"SpecificID\":\"" + id + "\"}");
            assertTrue(taken.out().endsWith("\n409"), taken.toString());
            assertTrue(taken.out().contains("SpecificID " + id + ": a container with this id already exists"),
                    taken.out());
            Cmd.Result upper = create(other, "{\"Image\":\"busybox\",\"SpecificID\":\"" + id.toUpperCase() + "\"}");
            assertTrue(upper.out().endsWith("\n400"), upper.toString());
            assertTrue(upper.out().contains("the characters of a container id must be in '0123456789abcdef'"),
                    upper.out());
            Cmd.Result cli = d.pouch("create", "--name", other, "--specific-id", "abc", "busybox");
            assertEquals(125, cli.exit(), cli.toString());
            assertTrue(cli.err().contains("a container id must be 64 characters long, not 3"), cli.err());
            assertEquals("", d.pouch("ps", "-aq", "--filter", "name=" + other).ok().trimmed(), "nothing created");

            // Pouch's query form of the field
            String id2 = randomId();
            Cmd.Result q = d.curl("/v1.47/containers/create?name=" + other + "&specificId=" + id2, "-X", "POST", "-H",
                    "Content-Type: application/json", "-d", "{\"Image\":\"busybox\"}");
            assertTrue(q.out().endsWith("\n201") && q.out().contains(id2), q.toString());
        } finally {
            d.pouch("rm", "-f", n);
            d.pouch("rm", "-f", other);
        }
    }

    @Test
    void disableNetworkFilesLeavesTheNetworkFilesOut() {
        Cmd.Result with = d.pouch("run", "--rm", "busybox", "cat", "/proc/self/mountinfo");
        assertEquals(0, with.exit(), with.toString());
        assertTrue(with.out().contains(" /etc/hosts "), with.out());
        Cmd.Result without = d.pouch("run", "--rm", "--disable-network-files", "busybox", "cat",
                "/proc/self/mountinfo");
        assertEquals(0, without.exit(), without.toString());
        for (String f : List.of(" /etc/hosts ", " /etc/hostname ", " /etc/resolv.conf ")) {
            assertFalse(without.out().contains(f), f + " is not mounted: " + without.out());
        }
        String n = name("fields-nonet");
        try {
            Cmd.Result r = create(n, "{\"Image\":\"busybox\",\"Cmd\":[\"cat\",\"/proc/self/mountinfo\"],"
                    + "\"DisableNetworkFiles\":true}");
            assertTrue(r.out().endsWith("\n201"), r.toString());
            assertEquals("true", d.pouch("inspect", "-f", "{{.Config.DisableNetworkFiles}}", n).ok().trimmed());
            Cmd.Result run = d.pouch("start", "-a", n);
            assertEquals(0, run.exit(), run.toString());
            assertFalse(run.out().contains(" /etc/hosts "), run.out());
        } finally {
            d.pouch("rm", "-f", n);
        }
    }

    /** The runtime spec containerd's shim runs the container with: config.json in its bundle. */
    private static JsonNode bundleSpec(String id) throws IOException {
        try (Stream<Path> s = Files.walk(d.base().resolve("run"))) {
            Path f = s.filter(p -> p.endsWith(Path.of(id, "config.json"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundle of " + id + " under " + d.base()));
            return Json.MAPPER.readTree(f.toFile());
        }
    }

    @Test
    void specAnnotationsReachTheSpecTheShimRuns() throws Exception {
        String n = name("fields-ann");
        String raw = name("fields-ann");
        try {
            d.pouch("run", "-d", "--name", n, "--spec-annotation", "io.example/owner=team-a",
                    "--spec-annotation", "io.example/tier=web", "busybox", "sleep", "300").ok();
            String id = d.pouch("inspect", "-f", "{{.Id}}", n).ok().trimmed();
            JsonNode a = bundleSpec(id).path("annotations");
            assertEquals("team-a", a.path("io.example/owner").asText(), a.toString());
            assertEquals("web", a.path("io.example/tier").asText(), a.toString());

            Cmd.Result r = create(raw, "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\",\"300\"],"
                    + "\"SpecAnnotation\":{\"io.example/raw\":\"yes\"}}");
            assertTrue(r.out().endsWith("\n201"), r.toString());
            d.pouch("start", raw).ok();
            String rawId = d.pouch("inspect", "-f", "{{.Id}}", raw).ok().trimmed();
            assertEquals("yes", bundleSpec(rawId).path("annotations").path("io.example/raw").asText());
            assertEquals("yes", d.pouch("inspect", "-f", "{{index .Config.SpecAnnotation \"io.example/raw\"}}", raw)
                    .ok().trimmed());
        } finally {
            d.pouch("rm", "-f", n);
            d.pouch("rm", "-f", raw);
        }
    }

    @Test
    void netPriorityIsRefusedWithoutANetPrioHierarchyAndSetOnTheContainersInterfacesWithOne() throws Exception {
        boolean hostHasIt = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(l -> l.contains(" - cgroup ") && l.contains("net_prio"));
        String n = name("fields-prio");
        Path mnt = null;
        try {
            if (!hostHasIt) {
                Cmd.Result r = create(n, "{\"Image\":\"busybox\",\"NetPriority\":5}");
                assertTrue(r.out().endsWith("\n400"), r.toString());
                assertTrue(r.out().contains("NetPriority cannot be applied: this host has no net_prio cgroup"
                        + " hierarchy mounted"), r.out());
                assertEquals("", d.pouch("ps", "-aq", "--filter", "name=" + n).ok().trimmed());
                // the kernel has the controller: a hierarchy mounted for the test makes the field apply
                // under /sys/fs/cgroup: runc looks for hierarchies only there
                mnt = Files.createDirectory(Path.of("/sys/fs/cgroup/net_prio"));
                Cmd.run(List.of("mount", "-t", "cgroup", "-o", "net_prio", "none", mnt.toString()), Map.of(),
                        null, Duration.ofSeconds(30)).ok();
            }
            Cmd.Result run = d.pouch("run", "--rm", "--name", n, "--net-priority", "5", "busybox", "sh", "-c",
                    "cat /sys/fs/cgroup/*net_prio*/net_prio.ifpriomap");
            assertEquals(0, run.exit(), run.toString());
            List<String> lines = run.out().lines().toList();
            assertTrue(lines.contains("lo 5") && lines.contains("eth0 5"), run.out());
        } finally {
            d.pouch("rm", "-f", n);
            if (mnt != null) {
                unmountHierarchy(mnt);
            }
        }
    }

    /** Removes the cgroups left in a hierarchy the test mounted (runc's parent), deepest first, then unmounts it. */
    private static void unmountHierarchy(Path mnt) throws IOException {
        try (Stream<Path> s = Files.walk(mnt)) {
            s.filter(Files::isDirectory).filter(p -> !p.equals(mnt)).sorted((a, b) -> b.compareTo(a))
                    .forEach(p -> p.toFile().delete());
        }
        Cmd.run(List.of("umount", mnt.toString()), Map.of(), null, Duration.ofSeconds(30));
        Files.delete(mnt);
    }

    @Test
    void nvidiaGpusAndIntelRdtAreRefusedNamingWhatThisHostLacks() {
        String n = name("fields-hw");
        Cmd.Result gpu = create(n, "{\"Image\":\"busybox\",\"HostConfig\":{\"NvidiaConfig\":"
                + "{\"NvidiaVisibleDevices\":\"all\",\"NvidiaDriverCapabilities\":\"compute\"}}}");
        Assumptions.assumeFalse(Files.isDirectory(Path.of("/etc/cdi")) || Files.isDirectory(Path.of("/var/run/cdi")),
                "a host with CDI specs may have a GPU: the refusal is for hosts without");
        assertTrue(gpu.out().endsWith("\n400"), gpu.toString());
        assertTrue(gpu.out().contains("HostConfig.NvidiaConfig cannot be applied: this host has no NVIDIA device: no"
                + " CDI spec of kind nvidia.com/gpu is present"), gpu.out());
        Cmd.Result badCap = d.pouch("create", "--name", n, "--nvidia-capabilities", "bogus",
                "--nvidia-visible-devs", "0", "busybox");
        assertEquals(125, badCap.exit(), badCap.toString());
        assertTrue(badCap.err().contains("invalid nvidia driver capability \"bogus\""), badCap.err());

        Cmd.Result rdt = d.pouch("create", "--name", n, "--intel-rdt-l3-cbm", "L3:0=f", "busybox");
        assertEquals(125, rdt.exit(), rdt.toString());
        assertTrue(rdt.err().contains("HostConfig.IntelRdtL3Cbm cannot be applied: Intel RDT/CAT is not available on"
                + " this host"), rdt.err());
        Cmd.Result badRdt = create(n, "{\"Image\":\"busybox\",\"HostConfig\":{\"IntelRdtL3Cbm\":\"ff\"}}");
        assertTrue(badRdt.out().endsWith("\n400") && badRdt.out().contains("an L3 cache schema is"), badRdt.out());
        assertEquals("", d.pouch("ps", "-aq", "--filter", "name=" + n).ok().trimmed(), "nothing created");
    }
}
