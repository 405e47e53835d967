package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pouch's SpecificID, DisableNetworkFiles, SpecAnnotation, NetPriority and IntelRdtL3Cbm. */
class PouchFieldsTest {
    private static final String ID = "0123456789abcdef".repeat(4);
    private static final Path DIR = Path.of("/var/lib/pouch/containers/" + ID);

    @TempDir
    Path tmp;

    @Test
    void aSpecificIdIsSixtyFourLowercaseHexCharacters() {
        SpecificIds ids = new SpecificIds();
        assertEquals(ID, ids.take(ID, id -> false));
        for (String bad : List.of("abc", ID + "0", ID.toUpperCase(), ID.substring(1) + "g")) {
            PouchException e = assertThrows(PouchException.class, () -> ids.take(bad, id -> false), bad);
            assertEquals(400, e.status());
            assertTrue(e.getMessage().startsWith("SpecificID \""), e.getMessage());
        }
        assertTrue(assertThrows(PouchException.class, () -> ids.take("abc", id -> false)).getMessage()
                .contains("64 characters long, not 3"));
        assertTrue(assertThrows(PouchException.class, () -> ids.take(ID.toUpperCase(), id -> false)).getMessage()
                .contains("'0123456789abcdef'"));
        String random = ids.take(null, id -> false);
        assertTrue(random.matches("[0-9a-f]{64}"));
        assertFalse(random.equals(ids.take("", id -> false)));
    }

    @Test
    void aSpecificIdInUseOrBeingCreatedIsAConflict() {
        SpecificIds ids = new SpecificIds();
        PouchException e = assertThrows(PouchException.class, () -> ids.take(ID, Set.of(ID)::contains));
        assertEquals(409, e.status());
        assertEquals("SpecificID " + ID + ": a container with this id already exists", e.getMessage());
        assertEquals(ID, ids.take(ID, id -> false));
        assertEquals(409, assertThrows(PouchException.class, () -> ids.take(ID, id -> false)).status(),
                "held while its create runs");
        ids.release(ID);
        assertEquals(ID, ids.take(ID, id -> false));
    }

    private static ObjectNode spec() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree("""
                {"mounts":[{"destination":"/proc","source":"proc"},
                  {"destination":"/etc/hostname","source":"%1$s/hostname"},
                  {"destination":"/etc/hosts","source":"%1$s/hosts"},
                  {"destination":"/etc/resolv.conf","source":"%1$s/resolv.conf"},
                  {"destination":"/etc/hosts","source":"/srv/my-hosts"}],
                 "annotations":{"from.hostconfig":"kept"},"linux":{}}
                """.formatted(DIR));
    }

    private PouchHostFeatures host(String mountinfo, String cpuFlags, String filesystems) throws Exception {
        Path m = Files.writeString(tmp.resolve("mountinfo"), mountinfo);
        Path c = Files.writeString(tmp.resolve("cpuinfo"), "processor\t: 0\nflags\t\t: " + cpuFlags + "\n");
        Path f = Files.writeString(tmp.resolve("filesystems"), filesystems);
        return new PouchHostFeatures(m, c, f);
    }

    private static final String CGROUP_V1 = "30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup"
            + " rw,cpu\n";
    private static final String NET_PRIO = "31 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,relatime shared:10 -"
            + " cgroup cgroup rw,net_cls,net_prio\n";
    private static final String RESCTRL = "40 22 0:40 / /sys/fs/resctrl rw,relatime shared:20 - resctrl resctrl rw\n";

    @Test
    void disableNetworkFilesDropsOnlyTheContainersOwnFiles() throws Exception {
        ObjectNode spec = spec();
        ContainerConfig cfg = ContainerConfig.builder().disableNetworkFiles(true).build();
        PouchSpecFields.apply(spec, cfg, HostConfig.empty(), DIR, host("", "", ""));
        assertEquals(List.of("proc", "/srv/my-hosts"), spec.path("mounts").findValuesAsText("source"));
        ObjectNode kept = spec();
        PouchSpecFields.apply(kept, ContainerConfig.empty(), HostConfig.empty(), DIR, host("", "", ""));
        assertEquals(5, kept.path("mounts").size());
    }

    @Test
    void specAnnotationsJoinTheSpecWithoutReplacingOnesThere() throws Exception {
        ObjectNode spec = spec();
        Map<String, String> a = new LinkedHashMap<>();
        a.put("io.example/owner", "team-a");
        a.put("from.hostconfig", "replaced?");
        PouchSpecFields.apply(spec, ContainerConfig.builder().specAnnotation(a).build(), HostConfig.empty(), DIR,
                host("", "", ""));
        assertEquals("{\"from.hostconfig\":\"kept\",\"io.example/owner\":\"team-a\"}",
                spec.path("annotations").toString());
        assertEquals("SpecAnnotation: an annotation needs a key (key=value)", assertThrows(PouchException.class,
                () -> PouchSpecFields.validate(ContainerConfig.builder().specAnnotation(Map.of(" ", "v")).build(),
                        HostConfig.empty())).getMessage());
    }

    @Test
    void netPriorityNeedsAMountedNetPrioHierarchy() throws Exception {
        ContainerConfig cfg = ContainerConfig.builder().netPriority(7).build();
        String elsewhere = "32 25 0:28 / /tmp/np rw,relatime - cgroup none rw,net_prio\n"; // runc ignores it
        PouchException e = assertThrows(PouchException.class, () -> PouchSpecFields.apply(spec(), cfg,
                HostConfig.empty(), DIR, host(CGROUP_V1 + elsewhere, "", "")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("NetPriority cannot be applied: this host has no net_prio cgroup"
                + " hierarchy mounted"), e.getMessage());
        PouchHostFeatures with = host(CGROUP_V1 + NET_PRIO, "", "");
        assertEquals(Path.of("/sys/fs/cgroup/net_cls,net_prio"), with.netPrioMount());
        PouchSpecFields.apply(spec(), cfg, HostConfig.empty(), DIR, with);
        assertTrue(assertThrows(PouchException.class, () -> PouchSpecFields.validate(
                ContainerConfig.builder().netPriority(-1).build(), HostConfig.empty())).getMessage()
                .startsWith("NetPriority -1: "));
    }

    @Test
    void theInterfacesOfIpLinkAreTheirNamesWithoutThePeer() {
        assertEquals(List.of("lo", "eth0"), NetPriorities.interfaces("""
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT\\    link/loopback
                2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\    link/ether
                """));
    }

    @Test
    void intelRdtIsAnL3SchemaAppliedOnlyWhereResctrlIs() throws Exception {
        HostConfig hc = HostConfig.builder().intelRdtL3Cbm("L3:0=ff;1=f0").build();
        PouchException e = assertThrows(PouchException.class, () -> PouchSpecFields.apply(spec(),
                ContainerConfig.empty(), hc, DIR, host(CGROUP_V1, "fpu rdtscp", "nodev\tcgroup\n")));
        assertEquals("HostConfig.IntelRdtL3Cbm cannot be applied: Intel RDT/CAT is not available on this host: the"
                + " CPU has no L3 cache allocation (no cat_l3 flag in /proc/cpuinfo); the kernel has no resctrl"
                + " filesystem (none in /proc/filesystems); resctrl is not mounted at /sys/fs/resctrl", e.getMessage());
        ObjectNode spec = spec();
        PouchSpecFields.apply(spec, ContainerConfig.empty(), hc, DIR,
                host(CGROUP_V1 + RESCTRL, "fpu rdt_a cat_l3", "nodev\tresctrl\n"));
        assertEquals("{\"l3CacheSchema\":\"L3:0=ff;1=f0\"}", spec.path("linux").path("intelRdt").toString());
        for (String bad : List.of("ff", "L3:0", "L3:x=ff", "L3:0=fg", "MB:0=50")) {
            assertTrue(assertThrows(PouchException.class, () -> PouchSpecFields.validate(ContainerConfig.empty(),
                    HostConfig.builder().intelRdtL3Cbm(bad).build())).getMessage()
                    .startsWith("HostConfig.IntelRdtL3Cbm \"" + bad + "\": an L3 cache schema is"), bad);
        }
        ObjectNode none = spec();
        PouchSpecFields.apply(none, ContainerConfig.empty(), HostConfig.empty(), DIR, host("", "", ""));
        assertNull(none.path("linux").get("intelRdt"));
    }
}
