package io.pouch.daemon.container.rich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.container.ContainerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RichSpecTest {
    private static ObjectNode spec(String... args) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        var a = s.withObject("/process").putArray("args");
        for (String x : args) {
            a.add(x);
        }
        s.withObject("/process").putArray("env").add("PATH=/bin");
        s.putArray("mounts").addObject().put("destination", "/sys/fs/cgroup").put("type", "cgroup")
                .putArray("options").add("nosuid").add("ro");
        s.withObject("/linux").put("cgroupsPath", "/pouch/abc").putArray("namespaces").addObject()
                .put("type", "mount");
        return s;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static ContainerConfig rich(String mode, String script) {
        return ContainerConfig.builder().rich(true).richMode(mode).initScript(script).build();
    }

    @Test
    void plainContainersAreLeftAlone() {
        ObjectNode s = spec("sleep", "1");
        ObjectNode before = s.deepCopy();
        RichSpec.apply(s, ContainerConfig.empty(), false, () -> {
            throw new AssertionError("not asked for");
        });
        assertEquals(before, s);
    }

    @Test
    void dumbInitIsPid1AndItsDirectoryIsMountedReadOnly() {
        ObjectNode s = spec("sleep", "1");
        RichSpec.apply(s, rich("dumb-init", null), false, () -> Path.of("/var/lib/pouch/rich/d"));
        assertEquals(List.of("/.pouch/dumb-init", "--", "sleep", "1"), strings(s.at("/process/args")));
        assertTrue(strings(s.at("/process/env")).containsAll(List.of("rich_mode=true",
                "rich_mode_launch_manner=dumb-init")));
        JsonNode m = s.at("/mounts/1");
        assertEquals("/.pouch", m.path("destination").asText());
        assertEquals("/var/lib/pouch/rich/d", m.path("source").asText());
        assertTrue(strings(m.path("options")).contains("ro"));
    }

    @Test
    void theInitScriptRunsFirstAndItsFailureEndsTheStart() {
        assertEquals(List.of("/.pouch/dumb-init", "--", "/bin/sh", "-c", "'/i.sh' 'a' || exit $?; exec \"$@\"",
                "rich-init", "sleep", "1"), RichSpec.command(RichMode.DUMB_INIT, "/i.sh a", List.of("sleep", "1")));
        assertEquals(List.of("/bin/sh", "-c", "'/it'\\''s.sh' || exit $?; \"$@\" <&0 & exec /sbin/init", "rich-init",
                "top"), RichSpec.command(RichMode.SBIN_INIT, "/it's.sh", List.of("top")));
    }

    @Test
    void sbinInitModesStartTheCommandAsAChildOfInit() {
        assertEquals(List.of("/bin/sh", "-c", "\"$@\" <&0 & exec /sbin/init", "rich-init", "sleep", "9"),
                RichSpec.command(RichMode.SYSTEMD, "", List.of("sleep", "9")));
        assertEquals(List.of("/sbin/init"), RichSpec.command(RichMode.SBIN_INIT, "", List.of("/sbin/init")));
        assertEquals(List.of("/bin/sh", "-c", "'/i' || exit $?; exec /sbin/init", "rich-init"),
                RichSpec.command(RichMode.SYSTEMD, "/i", List.of("/sbin/init")));
    }

    @Test
    void systemdGetsTmpfsRunItsOwnCgroupNamespaceAndContainerVariable() {
        ObjectNode s = spec("/sbin/init");
        s.withArray("/mounts").addObject().put("destination", "/tmp").put("type", "bind").put("source", "/h");
        RichSpec.apply(s, rich("systemd", null), false, () -> {
            throw new AssertionError("not asked for");
        });
        assertEquals(List.of("/sbin/init"), strings(s.at("/process/args")));
        List<String> dst = new ArrayList<>();
        s.withArray("/mounts").forEach(m -> dst.add(m.path("destination").asText()));
        // the user's /tmp stays; only systemd's own cgroup v1 hierarchy is writable
        assertEquals(List.of("/run", "/run/lock", "/sys/fs/cgroup", "/tmp", "/sys/fs/cgroup/systemd"), dst);
        assertEquals(List.of("nosuid", "ro"), strings(s.at("/mounts/2/options")));
        assertEquals("/sys/fs/cgroup/systemd/pouch/abc", s.at("/mounts/4/source").asText());
        assertTrue(strings(s.at("/mounts/4/options")).contains("rw"));
        assertTrue(strings(s.at("/process/env")).contains("container=docker"));
        assertEquals("cgroup", s.at("/linux/namespaces/1/type").asText());
    }

    @Test
    void onCgroupV2TheNamespacesHierarchyIsWritable() {
        ObjectNode s = spec("/sbin/init");
        RichSpec.apply(s, rich("systemd", null), true, () -> {
            throw new AssertionError("not asked for");
        });
        assertEquals(List.of("nosuid", "rw"), strings(s.at("/mounts/3/options")));
        assertEquals(4, s.withArray("/mounts").size());
    }
}
