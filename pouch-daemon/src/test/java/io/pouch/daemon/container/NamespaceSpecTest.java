package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.devices.DeviceNode;
import io.pouch.daemon.container.devices.DeviceSpecs;
import io.pouch.daemon.container.devices.HostDevices;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.container.OciSpecBuilderTest.build;
import static io.pouch.daemon.container.OciSpecBuilderTest.hc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PID/IPC/UTS/cgroup namespace modes, sysctls and GroupAdd. */
class NamespaceSpecTest {
    private static List<String> namespaces(JsonNode spec) {
        List<String> out = new ArrayList<>();
        spec.at("/linux/namespaces").forEach(n -> out.add(n.get("type").asText()));
        return out;
    }

    private static JsonNode mount(JsonNode spec, String dst) {
        for (JsonNode m : spec.get("mounts")) {
            if (m.get("destination").asText().equals(dst)) {
                return m;
            }
        }
        return null;
    }

    @Test
    void defaultsArePrivateNamespacesAndTheHostsCgroupNamespace() {
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network"), namespaces(build(HostConfig.empty())));
    }

    @Test
    void hostModesLeaveTheNamespaceOut() {
        JsonNode s = build(hc(Map.of("PidMode", "host", "IpcMode", "host", "UTSMode", "host",
                "CgroupnsMode", "private")));
        assertEquals(List.of("mount", "cgroup", "network"), namespaces(s));
        assertTrue(s.path("hostname").isMissingNode(), "runc refuses a hostname without a UTS namespace");
        assertEquals("bind", mount(s, "/dev/shm").get("type").asText());
        assertEquals("/dev/shm", mount(s, "/dev/shm").get("source").asText());
    }

    @Test
    void ipcNoneHasNoDevShmAndShareableIsPrivate() {
        JsonNode none = build(hc(Map.of("IpcMode", "none")));
        assertTrue(namespaces(none).contains("ipc"));
        assertEquals(null, mount(none, "/dev/shm"));
        JsonNode shareable = build(hc(Map.of("IpcMode", "shareable")));
        assertEquals("tmpfs", mount(shareable, "/dev/shm").get("type").asText());
    }

    @Test
    void joiningAContainerUsesItsTasksNamespaceAndShm() {
        ObjectNode s = (ObjectNode) build(hc(Map.of("PidMode", "container:abc", "IpcMode", "container:abc")));
        OciSpecBuilder.joinNamespace(s, "pid", 42);
        OciSpecBuilder.joinNamespace(s, "ipc", 42);
        OciSpecBuilder.bindShm(s, "/state/donor/shm");
        assertEquals("/proc/42/ns/pid", s.at("/linux/namespaces/0/path").asText());
        assertEquals("/proc/42/ns/ipc", s.at("/linux/namespaces/1/path").asText());
        assertTrue(s.at("/linux/namespaces/2/path").isMissingNode());
        assertEquals("bind", mount(s, "/dev/shm").get("type").asText());
        assertEquals("/state/donor/shm", mount(s, "/dev/shm").get("source").asText());
    }

    private static String refused(Map<String, Object> fields, String hostname) {
        PouchException e = assertThrows(PouchException.class, () -> NamespaceModes.validate(hc(fields), hostname, ""));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void badModesGetDockerdsMessages() {
        assertEquals("invalid PID mode: foo", refused(Map.of("PidMode", "foo"), ""));
        assertEquals("invalid PID mode: container:", refused(Map.of("PidMode", "container:"), ""));
        assertEquals("invalid IPC mode: foo", refused(Map.of("IpcMode", "foo"), ""));
        assertEquals("invalid UTS mode: foo", refused(Map.of("UTSMode", "foo"), ""));
        assertEquals("invalid cgroup namespace mode: foo", refused(Map.of("CgroupnsMode", "foo"), ""));
        assertEquals("conflicting options: hostname and the UTS mode", refused(Map.of("UTSMode", "host"), "h"));
        NamespaceModes.validate(hc(Map.of("PidMode", "host", "IpcMode", "none", "UTSMode", "host",
                "CgroupnsMode", "private")), "", "");
        PouchException e = assertThrows(PouchException.class,
                () -> NamespaceModes.validate(hc(Map.of("UTSMode", "host")), "", "example.test"));
        assertEquals("conflicting options: domainname and the UTS mode", e.getMessage());
    }

    @Test
    void sysctlsNeedTheirOwnNamespace() {
        NamespaceModes.validate(hc(Map.of("Sysctls", Map.of("kernel.shmmax", "1", "fs.mqueue.msg_max", "20",
                "net.ipv4.ip_forward", "1"))), "", "");
        assertEquals("sysctl 'kernel.foo=1' is not allowed", refused(Map.of("Sysctls", Map.of("kernel.foo", "1")), ""));
        assertEquals("sysctl 'vm.swappiness=1' is not allowed",
                refused(Map.of("Sysctls", Map.of("vm.swappiness", "1")), ""));
        assertTrue(refused(Map.of("IpcMode", "host", "Sysctls", Map.of("kernel.sem", "1 2 3 4")), "")
                .startsWith("sysctl \"kernel.sem\" is not allowed in the hosts ipc namespace"));
        assertTrue(refused(Map.of("NetworkMode", "host", "Sysctls", Map.of("net.ipv4.ip_forward", "1")), "")
                .startsWith("sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace"));
        JsonNode s = build(hc(Map.of("Sysctls", Map.of("kernel.shmmax", "1000"))));
        assertEquals("1000", s.at("/linux/sysctl/kernel.shmmax").asText());
        assertTrue(build(HostConfig.empty()).at("/linux/sysctl").isMissingNode());
    }

    @Test
    void groupAddResolvesNamesInTheImagesGroupFile() {
        String group = "root:x:0:\nwheel:x:10:root\naudio:x:29:\n";
        UserSpec root = UserSpec.resolve("root", "root:x:0:0::/root:/bin/sh\n", group);
        assertEquals(List.of(10), root.additionalGids());
        assertEquals(List.of(10, 29, 4242), root.withGroups(List.of("audio", "4242", "wheel"), group).additionalGids());
        PouchException e = assertThrows(PouchException.class, () -> root.withGroups(List.of("nosuch"), group));
        assertEquals("Unable to find group nosuch: no matching entries in group file", e.getMessage());
        assertEquals(List.of(7), UserSpec.ROOT.withGroups(List.of("7"), null).additionalGids());
    }

    @Test
    void aPrivilegedContainerGetsEachOfTheHostsDevicesOnce() {
        List<DeviceNode> all = HostDevices.all();
        assertTrue(all.stream().anyMatch(n -> n.path().equals("/dev/null") && n.major() == 1 && n.minor() == 3),
                all.toString());
        assertTrue(all.stream().noneMatch(n -> n.path().startsWith("/dev/pts/") || n.path().equals("/dev/console")));
        ObjectNode spec = io.pouch.api.Json.MAPPER.createObjectNode();
        DeviceSpecs.addNodes(spec, all);
        DeviceSpecs.addNodes(spec, all);
        assertEquals(all.size(), spec.at("/linux/devices").size());
    }
}
