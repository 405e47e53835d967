package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Devices (host nodes, cgroup rules, CDI) and the cgroup resources through the real docker CLI, each effect read
 * inside the container or in its cgroup files, and each refusal's status and message. One private daemon: its
 * CDI spec directory is a temp dir this test writes (system property pouch.cdi.spec-dirs).
 */
@Tag("e2e")
class ResourcesEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");
    private static Path cdiDir;
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() throws IOException {
        cdiDir = Files.createTempDirectory("pouch-it-cdi-");
        Files.writeString(cdiDir.resolve("example.json"), """
                {"cdiVersion": "0.6.0", "kind": "vendor.example/dev",
                 "devices": [{"name": "null", "containerEdits": {
                     "deviceNodes": [{"path": "/dev/cdinull", "hostPath": "/dev/null"}],
                     "env": ["CDI_DEVICE=null"]}}],
                 "containerEdits": {"env": ["CDI_VENDOR=example"]}}
                """);
        d = PouchdHarness.startConfigured("pouch-it-res-", "pres", "{}",
                Map.of("JAVA_TOOL_OPTIONS", "-Dpouch.cdi.spec-dirs=" + cdiDir));
    }

    @AfterAll
    static void stop() throws IOException {
        if (d != null) {
            d.close();
        }
        try (var files = Files.list(cdiDir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(cdiDir);
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String run(String... args) {
        List<String> a = new ArrayList<>(List.of("run", "--rm"));
        a.addAll(List.of(args));
        return d.docker(a.toArray(String[]::new)).ok().out();
    }

    /** POST /containers/create with {@code hostConfig}: the status line and body. */
    private static Cmd.Result create(String hostConfig) {
        return d.curl("/v1.47/containers/create", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"Cmd\":[\"true\"],\"HostConfig\":" + hostConfig + "}");
    }

    private static void assertRefused(Cmd.Result r, String message) {
        List<String> lines = r.out().lines().toList();
        assertEquals("400", lines.getLast(), r::toString);
        assertTrue(r.out().contains(message), () -> "expected \"" + message + "\" in " + r.out());
    }

    private static long[] numbers(Path device) throws IOException {
        long rdev = (Long) Files.getAttribute(device, "unix:rdev");
        return new long[]{((rdev >>> 8) & 0xfffL) | ((rdev >>> 32) & 0xfffff000L),
                (rdev & 0xffL) | ((rdev >>> 12) & 0xffffff00L)};
    }

    @Test
    void aDeviceIsCreatedWithTheHostsNumbersAndItsCgroupRuleHasThePermissionsGiven() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse on the host");
        long[] fuse = numbers(Path.of("/dev/fuse"));
        String out = run("--device", "/dev/fuse:/dev/myfuse:rw", "busybox", "sh", "-c",
                "stat -c '%t:%T %F' /dev/myfuse; cat /sys/fs/cgroup/devices/devices.list");
        assertTrue(out.startsWith(Long.toHexString(fuse[0]) + ":" + Long.toHexString(fuse[1])
                + " character special file"), out);
        assertTrue(out.contains("c " + fuse[0] + ":" + fuse[1] + " rw\n"), out);
        String n = name("dev");
        d.docker("create", "--name", n, "--device", "/dev/fuse:/dev/myfuse:rw", "busybox").ok();
        JsonNode dev = JSON.readTree(d.docker("inspect", n).ok().out()).get(0).path("HostConfig").path("Devices");
        assertEquals("/dev/fuse", dev.path(0).path("PathOnHost").asText(), dev::toString);
        assertEquals("/dev/myfuse", dev.path(0).path("PathInContainer").asText());
        assertEquals("rw", dev.path(0).path("CgroupPermissions").asText());
        d.docker("rm", n).ok();
    }

    @Test
    void aDirectoryMapsEveryDeviceUnderIt() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun on the host");
        long[] tun = numbers(Path.of("/dev/net/tun"));
        String out = run("--device", "/dev/net:/dev/x", "busybox", "stat", "-c", "%t:%T", "/dev/x/tun");
        assertEquals(Long.toHexString(tun[0]) + ":" + Long.toHexString(tun[1]), out.trim());
    }

    @Test
    void aMissingDeviceIsRefusedWithDockerdsMessage() {
        Cmd.Result r = d.docker("create", "--device", "/dev/pouch-no-such-device", "busybox");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("error gathering device information while adding custom device"
                + " \"/dev/pouch-no-such-device\": no such file or directory"), r::toString);
    }

    @Test
    void deviceCgroupRulesAreAddedAndAMalformedOneIsRefused() {
        String out = run("--device-cgroup-rule", "c 10:229 rw", "--device-cgroup-rule", "b 7:* r", "busybox",
                "cat", "/sys/fs/cgroup/devices/devices.list");
        assertTrue(out.contains("c 10:229 rw\n"), out);
        assertTrue(out.contains("b 7:* r\n"), out);
        assertRefused(create("{\"DeviceCgroupRules\":[\"x 1:3 rwm\"]}"),
                "invalid device cgroup rule format: 'x 1:3 rwm'");
        assertRefused(create("{\"Devices\":[{\"PathOnHost\":\"/dev/null\",\"PathInContainer\":\"/dev/n\","
                + "\"CgroupPermissions\":\"rwx\"}]}"), "bad mode specified: rwx");
    }

    @Test
    void aCdiDeviceGetsItsNodeAndEnvironment() {
        String out = run("--device", "vendor.example/dev=null", "busybox", "sh", "-c",
                "stat -c '%t:%T' /dev/cdinull; echo $CDI_DEVICE $CDI_VENDOR");
        assertEquals("1:3\nnull example", out.trim());
        Cmd.Result unknown = d.docker("create", "--device", "vendor.example/dev=nope", "busybox");
        assertNotEquals(0, unknown.exit());
        assertTrue(unknown.err().contains("unresolvable CDI devices vendor.example/dev=nope"), unknown::toString);
    }

    @Test
    void gpusWithoutAnyGpuSpecAreRefusedAsDockerdDoes() {
        Cmd.Result r = d.docker("create", "--gpus", "all", "busybox");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("could not select device driver \"\" with capabilities: [[gpu]]"), r::toString);
    }

    @Test
    void memorySwappinessIsWrittenAndOutOfRangeIsRefused() {
        assertEquals("30", run("--memory-swappiness", "30", "busybox", "cat",
                "/sys/fs/cgroup/memory/memory.swappiness").trim());
        assertRefused(create("{\"MemorySwappiness\":101}"), "Invalid value: 101, valid memory swappiness range is 0-100");
    }

    @Test
    void oomKillDisableAppliesWithoutAMemoryLimitAndWarns() {
        Cmd.Result r = d.docker("run", "--rm", "--oom-kill-disable", "busybox", "cat",
                "/sys/fs/cgroup/memory/memory.oom_control").ok();
        assertTrue(r.out().contains("oom_kill_disable 1"), r::toString);
        assertTrue(r.err().contains("OOM killer is disabled for the container, but no memory limit is set"),
                r::toString);
    }

    @Test
    void realtimeRuntimeIsWrittenAndCanBeUpdated() throws IOException {
        Assumptions.assumeTrue(Files.exists(CGROUP.resolve("cpu/cpu.rt_runtime_us")), "needs RT group scheduling");
        Path parentBudget = CGROUP.resolve("cpu/pouch/cpu.rt_runtime_us");
        String before = Files.exists(parentBudget) ? Files.readString(parentBudget).trim() : "0";
        String n = name("rt");
        try {
            d.docker("run", "-d", "--name", n, "--cpu-rt-runtime", "1000", "busybox", "sleep", "600").ok();
            assertEquals("1000", d.docker("exec", n, "cat", "/sys/fs/cgroup/cpu/cpu.rt_runtime_us").trimmed());
            d.docker("update", "--cpu-rt-runtime", "2000", n).ok();
            assertEquals("2000", d.docker("exec", n, "cat", "/sys/fs/cgroup/cpu/cpu.rt_runtime_us").trimmed());
            assertEquals("2000", d.docker("inspect", "-f", "{{.HostConfig.CpuRealtimeRuntime}}", n).trimmed());
        } finally {
            d.docker("rm", "-f", n);
            try {
                // pouchd raised /pouch's real-time budget for the container; give back what it had
                Files.writeString(parentBudget, before);
            } catch (IOException e) {
                // another container under /pouch holds part of the budget: it stays
            }
        }
        assertRefused(create("{\"CpuRealtimePeriod\":1000000,\"CpuRealtimeRuntime\":2000000}"),
                "cpu real-time runtime cannot be higher than cpu real-time period");
    }

    @Test
    void blkioWeightIsAppliedOrRefusedAsTheHostHasIt() {
        boolean weight = Files.exists(CGROUP.resolve("blkio/blkio.weight"))
                || Files.exists(CGROUP.resolve("blkio/blkio.bfq.weight"));
        if (weight) {
            String out = run("--blkio-weight", "300", "busybox", "sh", "-c",
                    "cat /sys/fs/cgroup/blkio/blkio.weight /sys/fs/cgroup/blkio/blkio.bfq.weight 2>/dev/null");
            assertTrue(out.contains("300"), out);
        } else {
            assertRefused(create("{\"BlkioWeight\":300}"), "BlkioWeight 300: Your kernel does not support Block I/O"
                    + " weight");
            assertRefused(create("{\"BlkioWeightDevice\":[{\"Path\":\"/dev/null\",\"Weight\":300}]}"),
                    "BlkioWeightDevice: Your kernel does not support Block I/O weight_device");
        }
        assertRefused(create("{\"BlkioWeight\":5}"), "Range of blkio weight is from 10 to 1000");
    }

    @Test
    void blockIoThrottlesNameTheDeviceByItsNumbers() throws Exception {
        Path disk = firstDisk();
        Assumptions.assumeTrue(disk != null, "needs a block device in /sys/block");
        long[] n = numbers(disk);
        String out = run("--device-read-bps", disk + ":1mb", "--device-write-iops", disk + ":50", "busybox", "cat",
                "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device",
                "/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device");
        assertEquals(n[0] + ":" + n[1] + " 1048576\n" + n[0] + ":" + n[1] + " 50", out.trim());
        assertRefused(create("{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/null\",\"Rate\":100}]}"),
                "BlkioDeviceReadBps: /dev/null is not a block device");
        assertRefused(create("{\"BlkioDeviceWriteBps\":[{\"Path\":\"/dev/pouch-nope\",\"Rate\":100}]}"),
                "BlkioDeviceWriteBps: stat /dev/pouch-nope: no such file or directory");
    }

    /** A whole disk (not a loop or ram device) that has a node in /dev. */
    private static Path firstDisk() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/block"))) {
            for (Path b : ds) {
                String name = b.getFileName().toString();
                Path dev = Path.of("/dev", name);
                if (!name.startsWith("loop") && !name.startsWith("ram") && Files.exists(dev, LinkOption.NOFOLLOW_LINKS)) {
                    return dev;
                }
            }
        }
        return null;
    }

    @Test
    void cgroupParentPlacesTheContainerUnderIt() throws Exception {
        String parent = "pit-" + UUID.randomUUID().toString().substring(0, 8);
        String n = name("cgp");
        try {
            d.docker("run", "-d", "--name", n, "--cgroup-parent", parent, "busybox", "sleep", "600").ok();
            String id = d.docker("inspect", "-f", "{{.Id}}", n).trimmed();
            String self = d.docker("exec", n, "cat", "/proc/1/cgroup").ok().out();
            assertTrue(self.contains(":pids:/" + parent + "/" + id + "\n"), self);
            assertTrue(Files.isDirectory(CGROUP.resolve("pids").resolve(parent).resolve(id)));
            assertEquals(parent, d.docker("inspect", "-f", "{{.HostConfig.CgroupParent}}", n).trimmed());
            d.docker("rm", "-f", n).ok();
            assertFalse(Files.exists(CGROUP.resolve("pids").resolve(parent).resolve(id)));
        } finally {
            d.docker("rm", "-f", n);
            try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(CGROUP)) {
                for (Path h : hierarchies) {
                    Files.deleteIfExists(h.resolve(parent));
                }
            }
        }
        assertRefused(create("{\"CgroupParent\":\"../../escape\"}"), "invalid CgroupParent");
    }

    @Test
    void updateRefusesWhatCannotChangeAndKernelMemory() {
        String n = name("upd");
        d.docker("create", "--name", n, "busybox", "true").ok();
        try {
            Cmd.Result r = d.curl("/v1.47/containers/" + n + "/update", "-X", "POST", "-H",
                    "Content-Type: application/json", "-d", "{\"Devices\":[{\"PathOnHost\":\"/dev/null\"}]}");
            assertRefused(r, "{\"message\":\"Devices [");
            assertRefused(r, "cannot be updated on an existing container; it is set at create (docker run --device)");
            r = d.curl("/v1.47/containers/" + n + "/update", "-X", "POST", "-H", "Content-Type: application/json",
                    "-d", "{\"KernelMemory\":52428800}");
            assertRefused(r, "KernelMemory 52428800 cannot be updated");
            if (!Files.exists(CGROUP.resolve("blkio/blkio.weight"))
                    && !Files.exists(CGROUP.resolve("blkio/blkio.bfq.weight"))) {
                Cmd.Result w = d.docker("update", "--blkio-weight", "300", n);
                assertNotEquals(0, w.exit());
                assertTrue(w.err().contains("BlkioWeight 300: Your kernel does not support Block I/O weight"),
                        w::toString);
            }
            d.docker("update", "--memory", "64m", n).ok();
            assertEquals("67108864", d.docker("inspect", "-f", "{{.HostConfig.Memory}}", n).trimmed());
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void resourcesLinuxDoesNotApplyAreRefusedAtCreate() {
        assertRefused(create("{\"KernelMemory\":52428800}"), "HostConfig.KernelMemory 52428800: kernel memory limits");
        assertRefused(create("{\"KernelMemoryTCP\":52428800}"), "HostConfig.KernelMemoryTCP 52428800");
        assertRefused(create("{\"CpuCount\":2}"), "HostConfig.CpuCount 2");
        assertRefused(create("{\"CpuPercent\":20}"), "HostConfig.CpuPercent 20: linux does not support CPU percent");
        assertRefused(create("{\"IOMaximumIOps\":20}"),
                "Invalid QoS settings: linux does not support configuration of maximum IOPs");
        assertRefused(create("{\"IOMaximumBandwidth\":20}"),
                "Invalid QoS settings: linux does not support configuration of maximum bandwidth");
        assertRefused(create("{\"CpusetCpus\":\"0-4096\"}"), "Requested CPUs are not available - requested 0-4096");
        assertRefused(create("{\"StorageOpt\":{\"size\":\"1G\"}}"),
                "--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
    }

    @Test
    void theSystemdCgroupDriverStopsTheDaemonAtStart() throws Exception {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pouch-it-sysd-");
        try {
            Path root = Cmd.repoRoot();
            String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Cmd.Result r = Cmd.run(List.of(java, "-cp", cp, "io.pouch.daemon.Pouchd", "--cgroup-driver", "systemd",
                    "--home-dir", base.resolve("home").toString(), "--exec-root", base.resolve("run").toString(),
                    "--listen", "unix://" + base.resolve("s.sock"), "--pidfile", base.resolve("pid").toString(),
                    "--config-file", base.resolve("none.json").toString()), Map.of(), null, Duration.ofSeconds(60));
            assertEquals(1, r.exit(), r::toString);
            assertTrue((r.out() + r.err()).contains("the systemd cgroup driver is not supported"), r::toString);
            assertFalse(Files.exists(base.resolve("home")), "nothing is created before the refusal");
        } finally {
            Files.deleteIfExists(base);
        }
    }
}
