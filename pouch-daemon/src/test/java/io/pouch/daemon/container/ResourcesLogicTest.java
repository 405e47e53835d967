package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.devices.DeviceNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OciResources with host facts, the cgroup v2 mapping, cgroup paths, update's fixed fields, real-time budgets. */
class ResourcesLogicTest {
    private static final CgroupFacts NO_WEIGHT = new CgroupFacts(false, true, false, true, false);
    private static final CgroupFacts V2 = new CgroupFacts(true, false, true, true, false);
    private static final BiFunction<String, String, DeviceNode> DISKS = (field, path) -> switch (path) {
        case "/dev/vda" -> new DeviceNode(path, "b", 254, 0, 0660, 0, 6);
        case "/dev/sdb" -> new DeviceNode(path, "b", 8, 16, 0660, 0, 6);
        default -> throw PouchException.invalidArgument(field + ": " + path + " is not a block device");
    };

    @TempDir
    Path tmp;

    private static JsonNode res(Map<String, Object> fields, CgroupFacts facts) {
        HostConfig hc = OciSpecBuilderTest.hc(fields);
        return OciResources.of(hc, false, OciSpecBuilderTest.HOST, facts, DISKS);
    }

    private static String refusal(Map<String, Object> fields, CgroupFacts facts) {
        return assertThrows(PouchException.class, () -> res(fields, facts)).getMessage();
    }

    @Test
    void swappinessIsWrittenInItsRangeAndRefusedOutsideOrOnV2() {
        assertEquals(30, res(Map.of("MemorySwappiness", 30), CgroupFacts.V1_FULL).path("memory").path("swappiness")
                .asInt());
        assertFalse(res(Map.of("MemorySwappiness", -1), CgroupFacts.V1_FULL).has("memory"));
        assertEquals("Invalid value: 101, valid memory swappiness range is 0-100",
                refusal(Map.of("MemorySwappiness", 101), CgroupFacts.V1_FULL));
        assertTrue(refusal(Map.of("MemorySwappiness", 10), V2).contains("cgroup v2 has no memory swappiness"));
    }

    @Test
    void oomKillDisableIsAppliedWithoutAMemoryLimitAndWarns() {
        Map<String, Object> f = Map.of("OomKillDisable", true);
        assertTrue(res(f, CgroupFacts.V1_FULL).path("memory").path("disableOOMKiller").asBoolean());
        assertEquals(1, OciResources.warnings(OciSpecBuilderTest.hc(f)).size());
        assertTrue(OciResources.warnings(OciSpecBuilderTest.hc(Map.of("OomKillDisable", true, "Memory", 64 << 20)))
                .isEmpty());
    }

    @Test
    void realtimePeriodsAreCheckedAsDockerdDoes() {
        JsonNode cpu = res(Map.of("CpuRealtimePeriod", 1000000, "CpuRealtimeRuntime", 950000), CgroupFacts.V1_FULL)
                .path("cpu");
        assertEquals(1000000, cpu.path("realtimePeriod").asLong());
        assertEquals(950000, cpu.path("realtimeRuntime").asLong());
        assertEquals("cpu real-time runtime cannot be higher than cpu real-time period",
                refusal(Map.of("CpuRealtimePeriod", 1000, "CpuRealtimeRuntime", 2000), CgroupFacts.V1_FULL));
        assertEquals("Your kernel does not support cgroup cpu real-time period",
                refusal(Map.of("CpuRealtimePeriod", 1000), NO_WEIGHT));
        assertEquals("Your kernel does not support cgroup cpu real-time runtime",
                refusal(Map.of("CpuRealtimeRuntime", 1000), NO_WEIGHT));
    }

    @Test
    void blockIoWeightsAndThrottlesNameDevicesByNumber() {
        JsonNode b = res(Map.of("BlkioWeight", 300,
                "BlkioWeightDevice", List.of(Map.of("Path", "/dev/sdb", "Weight", 20)),
                "BlkioDeviceReadBps", List.of(Map.of("Path", "/dev/vda", "Rate", 1048576)),
                "BlkioDeviceWriteIOps", List.of(Map.of("Path", "/dev/sdb", "Rate", 50))), CgroupFacts.V1_FULL)
                .path("blockIO");
        assertEquals(300, b.path("weight").asInt());
        assertEquals("{\"major\":8,\"minor\":16,\"weight\":20}", b.path("weightDevice").get(0).toString());
        assertEquals("{\"major\":254,\"minor\":0,\"rate\":1048576}", b.path("throttleReadBpsDevice").get(0).toString());
        assertEquals("{\"major\":8,\"minor\":16,\"rate\":50}", b.path("throttleWriteIOPSDevice").get(0).toString());
        assertEquals("Range of blkio weight is from 10 to 1000", refusal(Map.of("BlkioWeight", 5), CgroupFacts.V1_FULL));
        assertTrue(refusal(Map.of("BlkioWeight", 300), NO_WEIGHT).startsWith("BlkioWeight 300: Your kernel does not"
                + " support Block I/O weight"));
        assertEquals("BlkioDeviceReadBps: /dev/null is not a block device", refusal(Map.of("BlkioDeviceReadBps",
                List.of(Map.of("Path", "/dev/null", "Rate", 1))), CgroupFacts.V1_FULL));
    }

    @Test
    void cpusetsAreCheckedAgainstWhatTheHostHasInDockerdsWords() {
        CgroupFacts twoCpus = new CgroupFacts(false, true, true, true, true, "0-1", "0");
        assertEquals("0,1", res(Map.of("CpusetCpus", "0,1", "CpusetMems", "0"), twoCpus).path("cpu").path("cpus")
                .asText());
        assertEquals("Invalid value abc for cpuset cpus: invalid format: abc",
                refusal(Map.of("CpusetCpus", "abc"), twoCpus));
        assertEquals("Requested CPUs are not available - requested 0-99, available: 0-1",
                refusal(Map.of("CpusetCpus", "0-99"), twoCpus));
        assertEquals("Requested memory nodes are not available - requested 5, available: 0",
                refusal(Map.of("CpusetMems", "5"), twoCpus));
        assertEquals("Invalid value 3-1 for cpuset mems: invalid format: 3-1",
                refusal(Map.of("CpusetMems", "3-1"), twoCpus));
    }

    @Test
    void cgroupV2FilesAreWhatRuncWrites() {
        JsonNode r = res(Map.of("Memory", 64 << 20, "MemorySwap", 128 << 20, "MemoryReservation", 32 << 20,
                "CpuShares", 1024, "NanoCpus", 1_500_000_000L, "CpusetCpus", "0", "PidsLimit", 100, "BlkioWeight", 500,
                "BlkioDeviceReadBps", List.of(Map.of("Path", "/dev/vda", "Rate", 1000)),
                "BlkioDeviceWriteIOps", List.of(Map.of("Path", "/dev/vda", "Rate", 7))), V2);
        Map<String, String> f = CgroupV2Files.of(r);
        assertEquals(String.valueOf(64 << 20), f.get("memory.max"));
        assertEquals(String.valueOf(64 << 20), f.get("memory.swap.max"));
        assertEquals(String.valueOf(32 << 20), f.get("memory.low"));
        assertEquals("39", f.get("cpu.weight")); // runc: 1 + (1024-2)*9999/262142
        assertEquals("150000 100000", f.get("cpu.max"));
        assertEquals("0", f.get("cpuset.cpus"));
        assertEquals("100", f.get("pids.max"));
        assertEquals("4950", f.get("io.weight")); // 1 + (500-10)*9999/990
        assertEquals("254:0 rbps=1000 wiops=7", f.get("io.max"));
        assertEquals("max", CgroupV2Files.swapMax(-1, 1));
        assertEquals("max", CgroupV2Files.of(Json.MAPPER.createObjectNode().set("pids",
                Json.MAPPER.createObjectNode().put("limit", -1))).get("pids.max"));
        assertThrows(PouchException.class, () -> CgroupV2Files.of(res(Map.of("OomKillDisable", true),
                CgroupFacts.V1_FULL)));
        assertThrows(PouchException.class, () -> CgroupV2Files.of(res(Map.of("CpuRealtimeRuntime", 10),
                CgroupFacts.V1_FULL)));
    }

    @Test
    void cgroupParentIsADirectoryPathWithoutDotDot() {
        String id = "c".repeat(64);
        assertEquals("/pouch/" + id, CgroupPaths.of(HostConfig.empty(), id));
        assertEquals("/a/b/" + id, CgroupPaths.of(HostConfig.builder().cgroupParent("a/b/").build(), id));
        assertEquals("/foo.slice/" + id, CgroupPaths.of(HostConfig.builder().cgroupParent("/foo.slice").build(), id));
        assertThrows(PouchException.class, () -> CgroupPaths.of(HostConfig.builder().cgroupParent("../x").build(), id));
    }

    @Test
    void updateRefusesFieldsThatCannotChange() throws Exception {
        UpdateFields.refuse(Json.MAPPER.readTree("{\"Memory\":1,\"Devices\":null,\"MemorySwappiness\":-1,"
                + "\"OomKillDisable\":false,\"Ulimits\":[],\"KernelMemory\":0}"));
        String m = assertThrows(PouchException.class, () -> UpdateFields.refuse(Json.MAPPER.readTree(
                "{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/vda\",\"Rate\":1}]}"))).getMessage();
        assertTrue(m.startsWith("BlkioDeviceReadBps [") && m.contains("docker run --device-read-bps"), m);
        assertTrue(assertThrows(PouchException.class, () -> UpdateFields.refuse(Json.MAPPER.readTree(
                "{\"KernelMemory\":1000}"))).getMessage().startsWith("KernelMemory 1000 cannot be updated"));
        assertTrue(assertThrows(PouchException.class, () -> UpdateFields.refuse(Json.MAPPER.readTree(
                "{\"SpecAnnotation\":{\"k\":\"v\"}}"))).getMessage().startsWith("SpecAnnotation cannot be updated"));
        UpdateFields.refuse(Json.MAPPER.readTree("{\"SpecAnnotation\":{}}"));
    }

    @Test
    void realtimeBudgetRaisesEachParentTopDown() throws Exception {
        Path cpu = tmp.resolve("cpu");
        Files.createDirectories(cpu.resolve("a/sibling"));
        Files.writeString(cpu.resolve("cpu.rt_runtime_us"), "950000");
        Files.writeString(cpu.resolve("a/cpu.rt_runtime_us"), "0");
        Files.writeString(cpu.resolve("a/sibling/cpu.rt_runtime_us"), "300");
        // a plain directory has no control files; on cgroupfs the kernel makes them, here the test does
        Files.createDirectories(cpu.resolve("a/b"));
        Files.writeString(cpu.resolve("a/b/cpu.rt_runtime_us"), "0");
        RealtimeBudget.ensure(cpu, "/a/b", 1000);
        assertEquals("1300", Files.readString(cpu.resolve("a/cpu.rt_runtime_us")));
        assertEquals("1000", Files.readString(cpu.resolve("a/b/cpu.rt_runtime_us")));
        assertEquals("950000", Files.readString(cpu.resolve("cpu.rt_runtime_us")));
        Files.createDirectories(cpu.resolve("x"));
        assertTrue(assertThrows(PouchException.class, () -> RealtimeBudget.ensure(cpu, "/x", 10)).getMessage()
                .startsWith("CpuRealtimeRuntime 10: cannot give the cgroup /x a real-time budget"));
    }
}
