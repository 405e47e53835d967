package io.pouch.api.container;

import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostConfigTest {
    private static HostConfig full() {
        return HostConfig.builder()
                .binds(List.of("/a:/b")).containerIdFile("/cid").logConfig(new HostConfig.LogConfig("json-file",
                        Map.of("max-size", "1m"))).networkMode("bridge").portBindings(Map.of("80/tcp", List.of()))
                .restartPolicy(new HostConfig.RestartPolicy("always", 0)).autoRemove(true).volumeDriver("local")
                .volumesFrom(List.of("x")).capAdd(List.of("NET_ADMIN")).capDrop(List.of("MKNOD"))
                .dns(List.of("1.1.1.1")).dnsOptions(List.of("ndots:1")).dnsSearch(List.of("example"))
                .extraHosts(List.of("h:1.2.3.4")).groupAdd(List.of("wheel")).ipcMode("host").oomScoreAdj(5)
                .pidMode("host").privileged(true).publishAllPorts(true).readonlyRootfs(true)
                .securityOpt(List.of("no-new-privileges")).utsMode("host").shmSize(1024).runtime("crun")
                .cpuShares(512).memory(1 << 20).nanoCpus(1_000_000_000L).cgroupParent("/p").cpuPeriod(100_000)
                .cpuQuota(50_000).cpusetCpus("0").cpusetMems("0").memoryReservation(1 << 19).memorySwap(1 << 21)
                .oomKillDisable(true).pidsLimit(10L).ulimits(List.of(new HostConfig.Ulimit("nofile", 1, 2)))
                .init(true).maskedPaths(List.of("/proc/kcore")).readonlyPaths(List.of("/proc/sys"))
                .mounts(List.of(new HostConfig.Mount("tmpfs", null, "/t", false, null, null, null)))
                .tmpfs(Map.of("/run", "size=1m"))
                .build();
    }

    @Test
    void emptyHasDockersZeroValues() {
        HostConfig e = HostConfig.empty();
        assertNull(e.binds());
        assertNull(e.networkMode());
        assertNull(e.mounts());
        assertFalse(e.autoRemove());
        assertEquals(0, e.memory());
        assertEquals(e, HostConfig.builder().build());
    }

    @Test
    void toBuilderCopiesEveryField() {
        HostConfig h = full();
        assertEquals(h, h.toBuilder().build());
        // every component is set in full(): a field the builder forgot to copy would come back as its zero value
        assertEquals(Json.MAPPER.valueToTree(h), Json.MAPPER.valueToTree(h.toBuilder().build()));
    }

    @Test
    void aChangedCopyKeepsTheOtherFields() {
        HostConfig h = full();
        HostConfig changed = h.toBuilder().memory(42).build();
        assertEquals(42, changed.memory());
        assertEquals(h, changed.toBuilder().memory(h.memory()).build());
        assertEquals(h.mounts(), changed.mounts());
        assertEquals(h.tmpfs(), changed.tmpfs());

        HostConfig joined = h.withNetworkMode("container:abc");
        assertEquals("container:abc", joined.networkMode());
        assertEquals(h, joined.withNetworkMode("bridge"));
        HostConfig.LogConfig none = new HostConfig.LogConfig("none", Map.of());
        assertEquals(none, h.withLogConfig(none).logConfig());
        assertEquals(h.binds(), h.withLogConfig(none).binds());
    }

    @Test
    void jsonUsesDockersFieldNamesBothWays() throws Exception {
        HostConfig h = full();
        String json = Json.MAPPER.writeValueAsString(h);
        for (String name : List.of("\"Binds\"", "\"NetworkMode\"", "\"CpusetCpus\"", "\"Mounts\"", "\"Tmpfs\"",
                "\"UTSMode\"", "\"ContainerIDFile\"")) {
            assertTrue(json.contains(name), name + " in " + json);
        }
        assertEquals(h, Json.MAPPER.readValue(json, HostConfig.class));
        HostConfig partial = Json.MAPPER.readValue("{\"Memory\":5,\"Unknown\":1}", HostConfig.class);
        assertEquals(HostConfig.builder().memory(5).build(), partial);
    }
}
