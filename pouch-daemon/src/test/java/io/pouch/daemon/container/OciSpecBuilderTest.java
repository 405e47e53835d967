package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OciSpecBuilderTest {
    /** Like this machine: everything but CAP_SYS_RESOURCE, nofile hard 20000. */
    static final Set<String> HOST_CAPS = Set.copyOf(Capabilities.ALL.stream()
            .filter(c -> !c.equals("CAP_SYS_RESOURCE")).toList());
    static final OciSpecBuilder.Host HOST = new OciSpecBuilder.Host(HOST_CAPS, false,
            Map.of("RLIMIT_NOFILE", 20000L), 2);

    static HostConfig hc(Map<String, Object> fields) {
        return Json.MAPPER.convertValue(fields, HostConfig.class);
    }

    static JsonNode build(HostConfig hc) {
        return build(hc, List.of(), null);
    }

    static JsonNode build(HostConfig hc, List<Bind> binds, Path init) {
        OciSpecBuilder.Input in = new OciSpecBuilder.Input("abc", "host1", "", List.of("sh", "-c", "true"),
                List.of("PATH=/bin"), "", UserSpec.ROOT, false, hc, binds, Path.of("/c/hostname"),
                Path.of("/c/hosts"), Path.of("/c/resolv.conf"), init);
        return OciSpecBuilder.build(in, HOST);
    }

    static List<String> caps(JsonNode spec) {
        List<String> out = new ArrayList<>();
        spec.at("/process/capabilities/bounding").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void defaultsAreDockers() {
        JsonNode s = build(HostConfig.empty());
        assertEquals(Set.copyOf(Capabilities.DEFAULT), Set.copyOf(caps(s)));
        assertEquals("/", s.at("/process/cwd").asText());
        assertEquals("rootfs", s.at("/root/path").asText());
        assertFalse(s.at("/root/readonly").asBoolean());
        assertEquals("/pouch/abc", s.at("/linux/cgroupsPath").asText());
        assertTrue(s.at("/linux/seccomp/syscalls").size() > 0);
        assertEquals("SCMP_ACT_ERRNO", s.at("/linux/seccomp/defaultAction").asText(), "Docker's allow list");
        assertEquals(0, s.at("/process/rlimits").size(), "no rlimits by default: the host cannot raise them");
        assertEquals(0, s.at("/process/oomScoreAdj").asInt(-1)); // not inherited from pouchd's own
        List<String> ns = new ArrayList<>();
        s.at("/linux/namespaces").forEach(n -> ns.add(n.get("type").asText()));
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network"), ns);
        List<String> dst = new ArrayList<>();
        s.at("/mounts").forEach(n -> dst.add(n.get("destination").asText()));
        assertTrue(dst.containsAll(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys",
                "/sys/fs/cgroup", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf")));
        assertFalse(s.at("/linux/resources/devices/0/allow").asBoolean());
        assertEquals(OciSpecBuilder.MASKED_PATHS.size(), s.at("/linux/maskedPaths").size());
        assertEquals("host1", s.at("/hostname").asText());
    }

    @Test
    void annotationsGoIntoTheSpecAndATerminalStartsAtTheConsoleSize() {
        HostConfig hc = hc(Map.of("Annotations", Map.of("io.example/a", "1"), "ConsoleSize", List.of(40, 120)));
        OciSpecBuilder.Input in = new OciSpecBuilder.Input("abc", "host1", "", List.of("sh"), List.of("PATH=/bin"), "",
                UserSpec.ROOT, true, hc, List.of(), Path.of("/c/hostname"), Path.of("/c/hosts"),
                Path.of("/c/resolv.conf"), null);
        JsonNode s = OciSpecBuilder.build(in, HOST);
        assertEquals("1", s.at("/annotations/io.example~1a").asText());
        assertEquals(40, s.at("/process/consoleSize/height").asInt());
        assertEquals(120, s.at("/process/consoleSize/width").asInt());
        JsonNode noTty = build(hc);
        assertTrue(noTty.at("/process/consoleSize").isMissingNode(), "no terminal, no console size");
        assertTrue(build(hc(Map.of("ConsoleSize", List.of(0, 0)))).at("/annotations").isMissingNode());
    }

    @Test
    void theDomainnameIsSetThroughTheSysctlEveryRuncApplies() {
        OciSpecBuilder.Input in = new OciSpecBuilder.Input("abc", "host1", "example.test", List.of("sh"),
                List.of("PATH=/bin"), "", UserSpec.ROOT, false, HostConfig.empty(), List.of(), Path.of("/c/hostname"),
                Path.of("/c/hosts"), Path.of("/c/resolv.conf"), null);
        JsonNode s = OciSpecBuilder.build(in, HOST);
        assertEquals("example.test", s.at("/domainname").asText());
        assertEquals("example.test", s.at("/linux/sysctl/kernel.domainname").asText());
        assertTrue(build(HostConfig.empty()).at("/linux/sysctl/kernel.domainname").isMissingNode());
        OciSpecBuilder.Input withSysctls = new OciSpecBuilder.Input("abc", "host1", "example.test", List.of("sh"),
                List.of("PATH=/bin"), "", UserSpec.ROOT, false, hc(Map.of("Sysctls", Map.of("kernel.shmmax", "1"))),
                List.of(), Path.of("/c/hostname"), Path.of("/c/hosts"), Path.of("/c/resolv.conf"), null);
        JsonNode both = OciSpecBuilder.build(withSysctls, HOST);
        assertEquals("example.test", both.at("/linux/sysctl/kernel.domainname").asText());
        assertEquals("1", both.at("/linux/sysctl/kernel.shmmax").asText());
    }

    @Test
    void hostNetworkHasNoNetworkNamespace() {
        JsonNode s = build(hc(Map.of("NetworkMode", "host")));
        s.at("/linux/namespaces").forEach(n -> assertFalse(n.get("type").asText().equals("network")));
    }

    @Test
    void capAddDropWithAndWithoutPrefix() {
        List<String> c = caps(build(hc(Map.of("CapAdd", List.of("net_admin", "CAP_SYS_PTRACE"),
                "CapDrop", List.of("MKNOD", "cap_chown")))));
        assertTrue(c.contains("CAP_NET_ADMIN"));
        assertTrue(c.contains("CAP_SYS_PTRACE"));
        assertFalse(c.contains("CAP_MKNOD"));
        assertFalse(c.contains("CAP_CHOWN"));
    }

    @Test
    void capDropAllKeepsOnlyAdds() {
        assertEquals(List.of("CAP_NET_BIND_SERVICE"), caps(build(hc(Map.of("CapDrop", List.of("ALL"),
                "CapAdd", List.of("NET_BIND_SERVICE"))))));
    }

    @Test
    void capAddAllIsHostBoundedMinusDrops() {
        List<String> c = caps(build(hc(Map.of("CapAdd", List.of("ALL"), "CapDrop", List.of("NET_RAW")))));
        assertFalse(c.contains("CAP_NET_RAW"));
        assertFalse(c.contains("CAP_SYS_RESOURCE"), "not in this host's bounding set");
        assertTrue(c.contains("CAP_SYS_ADMIN"));
    }

    @Test
    void unknownOrUngrantableCapabilityIs400() {
        PouchException e = assertThrows(PouchException.class, () -> build(hc(Map.of("CapAdd", List.of("FLY")))));
        assertEquals(400, e.status());
        e = assertThrows(PouchException.class, () -> build(hc(Map.of("CapAdd", List.of("SYS_RESOURCE")))));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("bounding set"));
    }

    @Test
    void privilegedGetsEverythingAndNoSeccomp() {
        JsonNode s = build(hc(Map.of("Privileged", true)));
        assertEquals(HOST_CAPS.size(), caps(s).size());
        assertTrue(s.at("/linux/seccomp").isMissingNode());
        assertTrue(s.at("/linux/maskedPaths").isMissingNode());
        assertTrue(s.at("/linux/resources/devices/0/allow").asBoolean());
    }

    @Test
    void cpuMaths() {
        JsonNode s = build(hc(Map.of("NanoCpus", 1_500_000_000L)));
        assertEquals(100000, s.at("/linux/resources/cpu/period").asLong());
        assertEquals(150000, s.at("/linux/resources/cpu/quota").asLong());
        assertEquals(50000, OciResources.cpuQuota(500_000_000L));
        s = build(hc(Map.of("CpuShares", 512, "CpuQuota", 20000, "CpuPeriod", 50000, "CpusetCpus", "0-1")));
        assertEquals(512, s.at("/linux/resources/cpu/shares").asLong());
        assertEquals(20000, s.at("/linux/resources/cpu/quota").asLong());
        assertEquals(50000, s.at("/linux/resources/cpu/period").asLong());
        assertEquals("0-1", s.at("/linux/resources/cpu/cpus").asText());
        assertEquals(400, assertThrows(PouchException.class,
                () -> build(hc(Map.of("NanoCpus", 1_000_000_000L, "CpuQuota", 1000)))).status());
        assertEquals(400, assertThrows(PouchException.class,
                () -> build(hc(Map.of("NanoCpus", 3_000_000_000L)))).status());
        assertEquals(400, assertThrows(PouchException.class,
                () -> build(hc(Map.of("CpusetCpus", "a-b")))).status());
    }

    @Test
    void memoryAndPids() {
        JsonNode s = build(hc(Map.of("Memory", 64L << 20, "MemorySwap", 128L << 20, "PidsLimit", 100)));
        assertEquals(64L << 20, s.at("/linux/resources/memory/limit").asLong());
        assertEquals(128L << 20, s.at("/linux/resources/memory/swap").asLong());
        assertEquals(100, s.at("/linux/resources/pids/limit").asLong());
        assertEquals("Minimum memory limit allowed is 6MB", assertThrows(PouchException.class,
                () -> build(hc(Map.of("Memory", 1024)))).getMessage());
        assertThrows(PouchException.class, () -> build(hc(Map.of("MemorySwap", 1L << 30))));
        assertEquals(32L << 20, build(hc(Map.of("MemoryReservation", 32L << 20)))
                .at("/linux/resources/memory/reservation").asLong());
        assertEquals("Minimum memory reservation allowed is 6MB", assertThrows(PouchException.class,
                () -> build(hc(Map.of("MemoryReservation", 1024)))).getMessage());
        assertEquals("Minimum memory limit can not be less than memory reservation limit, see usage",
                assertThrows(PouchException.class, () -> build(hc(Map.of("Memory", 64L << 20,
                        "MemoryReservation", 128L << 20)))).getMessage());
    }

    @Test
    void ulimitsNeverAboveTheHostHardLimit() {
        JsonNode s = build(hc(Map.of("Ulimits", List.of(Map.of("Name", "nofile", "Soft", 1024, "Hard", 2048)))));
        assertEquals("RLIMIT_NOFILE", s.at("/process/rlimits/0/type").asText());
        assertEquals(2048, s.at("/process/rlimits/0/hard").asLong());
        PouchException e = assertThrows(PouchException.class, () -> build(hc(Map.of("Ulimits",
                List.of(Map.of("Name", "nofile", "Soft", 1048576, "Hard", 1048576))))));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("CAP_SYS_RESOURCE"), e.getMessage());
        assertThrows(PouchException.class, () -> build(hc(Map.of("Ulimits",
                List.of(Map.of("Name", "nofile", "Soft", 10, "Hard", 5))))));
        assertThrows(PouchException.class, () -> build(hc(Map.of("Ulimits",
                List.of(Map.of("Name", "bogus", "Soft", 1, "Hard", 1))))));
    }

    @Test
    void negativeOomScoreAdjRefusedClearly() {
        PouchException e = assertThrows(PouchException.class, () -> build(hc(Map.of("OomScoreAdj", -500))));
        assertTrue(e.getMessage().contains("CAP_SYS_RESOURCE"));
        assertEquals(500, build(hc(Map.of("OomScoreAdj", 500))).at("/process/oomScoreAdj").asInt());
    }

    @Test
    void bindsAndInitBecomeMounts() {
        JsonNode s = build(HostConfig.empty(), List.of(Bind.parse("/data:/mnt/data:ro")), Path.of("/usr/bin/tini"));
        JsonNode last = s.at("/mounts").get(s.at("/mounts").size() - 1);
        assertEquals("/mnt/data", last.get("destination").asText());
        assertEquals("/data", last.get("source").asText());
        assertTrue(last.get("options").toString().contains("\"ro\""));
        assertEquals(OciSpecBuilder.INIT_PATH, s.at("/process/args/0").asText());
        assertEquals("--", s.at("/process/args/1").asText());
        assertEquals("sh", s.at("/process/args/2").asText());
    }

    @Test
    void aSharedBindKeepsTheRootSharedASlaveOneMakesItRslave() {
        assertTrue(build(HostConfig.empty(), List.of(Bind.parse("/data:/mnt/data")), null)
                .at("/linux/rootfsPropagation").isMissingNode(), "private binds: runc's default");
        for (String p : List.of("shared", "rshared")) {
            JsonNode s = build(HostConfig.empty(), List.of(Bind.parse("/data:/mnt/data:" + p)), null);
            assertEquals("shared", s.at("/linux/rootfsPropagation").asText(), p);
        }
        for (String p : List.of("slave", "rslave")) {
            JsonNode s = build(HostConfig.empty(), List.of(Bind.parse("/data:/mnt/data:ro," + p)), null);
            assertEquals("rslave", s.at("/linux/rootfsPropagation").asText(), p);
        }
        JsonNode both = build(HostConfig.empty(), List.of(Bind.parse("/a:/a:rslave"), Bind.parse("/b:/b:rshared"),
                Bind.parse("/c:/c:slave")), null);
        assertEquals("shared", both.at("/linux/rootfsPropagation").asText(), "shared wins over slave, in any order");
    }

    @Test
    void theUserMountsAddedAtStartSetTheRootsPropagation() {
        ObjectNode s = (ObjectNode) build(HostConfig.empty());
        ObjectNode bind = s.withArray("mounts").addObject().put("destination", "/mnt").put("type", "bind")
                .put("source", "/srv/d");
        bind.putArray("options").add("rbind").add("rshared").add("rw");
        OciSpecBuilder.setRootfsPropagation(s);
        assertEquals("shared", s.at("/linux/rootfsPropagation").asText());
        ObjectNode tmpfs = (ObjectNode) build(HostConfig.empty());
        tmpfs.withArray("mounts").addObject().put("destination", "/t").put("type", "tmpfs").putArray("options")
                .add("rshared");
        OciSpecBuilder.setRootfsPropagation(tmpfs);
        assertTrue(tmpfs.at("/linux/rootfsPropagation").isMissingNode(), "only binds count");
    }

    private static final String MOUNTINFO = String.join("\n",
            "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
            "55 27 254:0 /run/netns /run/netns rw,relatime shared:7 - ext4 /dev/vda rw",
            "60 27 254:0 /srv/shared /srv/shared rw,relatime shared:9 - ext4 /dev/vda rw",
            "61 27 254:0 /srv/slave /srv/slave rw,relatime master:9 - ext4 /dev/vda rw",
            "62 27 254:0 /srv/both /srv/both rw,relatime shared:11 master:9 - ext4 /dev/vda rw",
            "63 27 0:50 / /srv/with\\040space rw,relatime shared:12 - tmpfs none rw",
            "64 60 254:0 /srv/private /srv/shared/private rw,relatime - ext4 /dev/vda rw",
            "65 60 0:51 / /srv/shared/private rw,relatime shared:13 - tmpfs none rw", "");

    private static JsonNode bindSpec(String source, String propagation) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        ObjectNode m = s.putArray("mounts").addObject().put("destination", "/mnt").put("type", "bind")
                .put("source", source);
        m.putArray("options").add("rbind").add(propagation).add("rw");
        return s;
    }

    private static void check(String source, String propagation) {
        BindPropagation.check(bindSpec(source, propagation), MOUNTINFO, p -> p);
    }

    @Test
    void aSharedBindNeedsItsSourceOnASharedMountAsDockerd() {
        check("/srv/shared/sub/dir", "rshared");
        check("/srv/both", "shared");
        check("/srv/with space/x", "rshared");
        check("/srv/shared/private", "rshared"); // the last of the mounts stacked there is the one seen
        check("/srv/shared", "rslave");
        check("/srv/slave/x", "slave");
        check("/srv/anything", "rprivate");
        PouchException e = assertThrows(PouchException.class, () -> check("/srv/slave/x", "rshared"));
        assertEquals(500, e.status(), "dockerd's status for what fails while it builds the spec at start");
        assertEquals("path /srv/slave/x is mounted on /srv/slave but it is not a shared mount", e.getMessage());
        e = assertThrows(PouchException.class, () -> check("/srv/sharedx", "shared"));
        assertEquals("path /srv/sharedx is mounted on / but it is not a shared mount", e.getMessage());
        e = assertThrows(PouchException.class, () -> check("/data", "rslave"));
        assertEquals("path /data is mounted on / but it is not a shared or slave mount", e.getMessage());
        // the source's real path decides: a link to a shared mount is fine
        BindPropagation.check(bindSpec("/link", "rshared"), MOUNTINFO, p -> p.equals("/link") ? "/srv/shared" : p);
    }

    @Test
    void envAndCommandLikeDocker() {
        assertEquals(List.of("HOSTNAME=h", "PATH=/x", "A=2", "TERM=xterm"),
                OciSpecBuilder.env("h", List.of("PATH=/x", "A=1"), List.of("A=2"), true));
        assertEquals("PATH=" + OciSpecBuilder.DEFAULT_PATH, OciSpecBuilder.env("h", null, null, false).get(1));
        assertEquals(List.of("sh"), OciSpecBuilder.command(null, null, null, List.of("sh")));
        assertEquals(List.of("/ep", "a"), OciSpecBuilder.command(null, List.of("a"), List.of("/ep"), List.of("b")));
        assertEquals(List.of("/new"), OciSpecBuilder.command(List.of("/new"), null, List.of("/ep"), List.of("b")));
        assertEquals(List.of("echo", "x"), OciSpecBuilder.command(List.of(""), List.of("echo", "x"), List.of("/ep"),
                null));
        assertEquals(400, assertThrows(PouchException.class,
                () -> OciSpecBuilder.command(null, null, null, null)).status());
        // Entrypoint [] (Pouch's CLI always sends it): the image's Cmd, without the image's Entrypoint
        assertEquals(List.of("sh"), OciSpecBuilder.command(List.of(), null, List.of("/ep"), List.of("sh")));
        assertEquals(List.of("echo", "x"), OciSpecBuilder.command(List.of(), List.of("echo", "x"), List.of("/ep"),
                List.of("sh")));
        assertEquals(400, assertThrows(PouchException.class,
                () -> OciSpecBuilder.command(List.of(), null, List.of("/ep"), null)).status());
    }
}
