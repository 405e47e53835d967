package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device cgroup rules, host device nodes (/dev/null, /dev/net), CDI specs and what they add to a spec. */
class DevicesTest {
    private static final String SPEC = """
            {"cdiVersion": "0.6.0", "kind": "vendor.example/dev",
             "devices": [{"name": "null", "containerEdits": {
                 "deviceNodes": [{"path": "/dev/cdinull", "hostPath": "/dev/null", "permissions": "rw"}],
                 "env": ["CDI_DEVICE=null"],
                 "mounts": [{"hostPath": "/etc/hostname", "containerPath": "/etc/cdi-host"}],
                 "hooks": [{"hookName": "createContainer", "path": "/bin/true", "args": ["true"]}]}},
               {"name": "fake", "containerEdits": {"deviceNodes": [{"path": "/dev/fake", "type": "c",
                 "major": 42, "minor": 7}]}}],
             "containerEdits": {"env": ["CDI_VENDOR=example"]}}
            """;

    @TempDir
    Path dir;

    @Test
    void deviceCgroupRulesFollowDockerdsGrammar() {
        assertEquals("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}",
                DeviceRule.parse("c 1:3 rwm").toSpec().toString());
        assertEquals("{\"allow\":true,\"type\":\"a\",\"access\":\"m\"}", DeviceRule.parse("a *:* m").toSpec()
                .toString());
        for (String bad : List.of("x 1:3 rwm", "c 1:3", "c 1:3 rwx", "c 1:3 rr", "c a:3 r", "")) {
            assertEquals("invalid device cgroup rule format: '" + bad + "'",
                    assertThrows(PouchException.class, () -> DeviceRule.parse(bad)).getMessage());
        }
    }

    @Test
    void aHostDeviceKeepsItsNumbersAndModeAtTheContainerPath() {
        List<HostDevices.Mapped> m = HostDevices.map(new HostConfig.DeviceMapping("/dev/null", "/dev/mynull", "r"));
        assertEquals(1, m.size());
        DeviceNode n = m.get(0).node();
        assertEquals(new DeviceNode("/dev/mynull", "c", 1, 3, 0666, 0, 0), n);
        assertEquals(new DeviceRule(true, "c", 1L, 3L, "r"), m.get(0).rule());
        assertEquals("/dev/null", HostDevices.map(new HostConfig.DeviceMapping("/dev/null", "", "")).get(0).node()
                .path());
        assertEquals("rwm", HostDevices.map(new HostConfig.DeviceMapping("/dev/null", null, null)).get(0).rule()
                .access());
    }

    @Test
    void aDirectoryMapsTheDevicesUnderIt() throws Exception {
        Path d = Files.createDirectories(dir.resolve("devs/sub"));
        Files.writeString(dir.resolve("devs/not-a-device"), "x");
        Files.createSymbolicLink(d.resolve("null-link"), Path.of("/dev/null"));
        assertTrue(HostDevices.map(new HostConfig.DeviceMapping(dir.resolve("devs").toString(), "/dev/x", "rwm"))
                .isEmpty(), "regular files and symlinks inside are not devices");
        if (Files.exists(Path.of("/dev/net/tun"))) {
            List<HostDevices.Mapped> m = HostDevices.map(new HostConfig.DeviceMapping("/dev/net", "/dev/x", "rwm"));
            assertEquals("/dev/x/tun", m.get(0).node().path());
            assertEquals(10, m.get(0).node().major());
        }
    }

    @Test
    void badDevicesAreRefusedWithDockerdsMessages() {
        assertEquals("error gathering device information while adding custom device \"/dev/pouch-nope\": no such"
                + " file or directory", assertThrows(PouchException.class, () -> HostDevices.map(
                new HostConfig.DeviceMapping("/dev/pouch-nope", null, null))).getMessage());
        assertEquals("bad mode specified: rwx", assertThrows(PouchException.class, () -> HostDevices.map(
                new HostConfig.DeviceMapping("/dev/null", "/dev/n", "rwx"))).getMessage());
        assertEquals("bad format for path: dev/n", assertThrows(PouchException.class, () -> HostDevices.map(
                new HostConfig.DeviceMapping("/dev/null", "dev/n", "r"))).getMessage());
        assertTrue(assertThrows(PouchException.class, () -> HostDevices.map(new HostConfig.DeviceMapping(
                "/etc/hostname", null, null))).getMessage().endsWith("not a device node"));
        assertTrue(assertThrows(PouchException.class, () -> HostDevices.block("BlkioDeviceReadBps", "/dev/null"))
                .getMessage().endsWith("/dev/null is not a block device"));
    }

    @Test
    void deviceNumbersAreDecodedAsGlibcDoes() {
        assertEquals(1, HostDevices.major(0x103));
        assertEquals(3, HostDevices.minor(0x103));
        long major = 0x12345;
        long minor = 0x6789a;
        // glibc's makedev
        long dev = ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
        assertEquals(major, HostDevices.major(dev));
        assertEquals(minor, HostDevices.minor(dev));
    }

    @Test
    void cdiSpecsAreParsedAndBadOnesSkipped() throws Exception {
        CdiSpec s = CdiSpec.parse(SPEC);
        assertEquals("vendor.example/dev", s.kind());
        assertEquals(List.of("CDI_VENDOR=example"), s.common().env());
        assertEquals(1, s.devices().get("null").deviceNodes().size());
        assertThrows(IllegalArgumentException.class, () -> CdiSpec.parse("{\"kind\":\"a/b\"}"));
        assertThrows(IllegalArgumentException.class, () -> CdiSpec.parse("{\"cdiVersion\":\"0.6.0\",\"kind\":\"nokind\"}"));
        assertTrue(CdiSpec.isQualified("vendor.example/dev=null"));
        assertFalse(CdiSpec.isQualified("/dev/null"));

        Files.writeString(dir.resolve("a.json"), SPEC);
        Files.writeString(dir.resolve("broken.json"), "{");
        Files.writeString(dir.resolve("b.yaml"), "cdiVersion: 0.6.0\nkind: other.example/x\n");
        Map<String, CdiSpec> specs = new CdiRegistry(List.of(dir, dir.resolve("missing"))).specs();
        assertEquals(List.of("vendor.example/dev"), List.copyOf(specs.keySet()));
    }

    @Test
    void cdiRequestsResolveOrAreRefusedAsDockerdDoes() throws Exception {
        Files.writeString(dir.resolve("a.json"), SPEC);
        CdiRegistry cdi = new CdiRegistry(List.of(dir));
        List<CdiSpec.Edits> edits = cdi.resolve(List.of(new HostConfig.DeviceRequest("cdi", 0,
                List.of("vendor.example/dev=null"), null, null)));
        assertEquals(2, edits.size(), "the spec's common edits and the device's");
        assertEquals("CDI device injection failed: unresolvable CDI devices vendor.example/dev=nope",
                assertThrows(PouchException.class, () -> cdi.resolve(List.of(new HostConfig.DeviceRequest("cdi", 0,
                        List.of("vendor.example/dev=nope"), null, null)))).getMessage());
        assertEquals("could not select device driver \"\" with capabilities: [[gpu]]",
                assertThrows(PouchException.class, () -> cdi.resolve(List.of(new HostConfig.DeviceRequest("", -1,
                        null, List.of(List.of("gpu")), null)))).getMessage());
    }

    @Test
    void gpuRequestsTakeTheNvidiaSpecsDevices() throws Exception {
        Files.writeString(dir.resolve("nvidia.json"), """
                {"cdiVersion":"0.6.0","kind":"nvidia.com/gpu","devices":[
                  {"name":"0","containerEdits":{"env":["GPU=0"]}},{"name":"1","containerEdits":{"env":["GPU=1"]}},
                  {"name":"all","containerEdits":{"env":["GPU=all"]}}]}
                """);
        CdiRegistry cdi = new CdiRegistry(List.of(dir));
        assertEquals(List.of("GPU=all"), cdi.resolve(List.of(new HostConfig.DeviceRequest("", -1, null,
                List.of(List.of("gpu")), null))).get(1).env());
        assertEquals(List.of("GPU=1"), cdi.resolve(List.of(new HostConfig.DeviceRequest("", 0, List.of("1"),
                List.of(List.of("gpu")), null))).get(1).env());
        assertEquals(3, cdi.resolve(List.of(new HostConfig.DeviceRequest("", 2, null, List.of(List.of("gpu")), null)))
                .size());
    }

    @Test
    void aPlanAddsNodesRulesEnvMountsAndHooksToTheSpec() throws Exception {
        Files.writeString(dir.resolve("a.json"), SPEC);
        DeviceSpecs devices = new DeviceSpecs(new CdiRegistry(List.of(dir)));
        HostConfig hc = HostConfig.builder()
                .devices(List.of(new HostConfig.DeviceMapping("/dev/null", "/dev/mynull", "r")))
                .deviceCgroupRules(List.of("c 10:229 rw"))
                .deviceRequests(List.of(new HostConfig.DeviceRequest("cdi", 0,
                        List.of("vendor.example/dev=null", "vendor.example/dev=fake"), null, null)))
                .build();
        ObjectNode spec = (ObjectNode) Json.MAPPER.readTree("{\"process\":{\"env\":[\"PATH=/bin\",\"CDI_DEVICE=old\"]},"
                + "\"mounts\":[],\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}}}");
        DeviceSpecs.apply(spec, devices.plan(hc));
        JsonNode linux = spec.path("linux");
        assertEquals(List.of("/dev/mynull", "/dev/cdinull", "/dev/fake"),
                linux.path("devices").findValuesAsText("path"));
        assertEquals(42, linux.path("devices").get(2).path("major").asInt());
        JsonNode rules = linux.path("resources").path("devices");
        assertEquals("{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"r\"}", rules.get(1).toString());
        assertEquals("c 10:229 rw", rules.get(2).path("type").asText() + " " + rules.get(2).path("major") + ":"
                + rules.get(2).path("minor") + " " + rules.get(2).path("access").asText());
        assertEquals("rw", rules.get(3).path("access").asText(), "a CDI node's permissions");
        assertEquals("[\"PATH=/bin\",\"CDI_VENDOR=example\",\"CDI_DEVICE=null\"]", spec.path("process").path("env")
                .toString());
        assertEquals("{\"destination\":\"/etc/cdi-host\",\"type\":\"bind\",\"source\":\"/etc/hostname\","
                + "\"options\":[\"rbind\",\"rprivate\"]}", spec.path("mounts").get(0).toString());
        assertEquals("/bin/true", spec.path("hooks").path("createContainer").get(0).path("path").asText());
    }
}
