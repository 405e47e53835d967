package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a container's {@code Devices}, {@code DeviceCgroupRules} and {@code DeviceRequests} add to its OCI spec:
 * device nodes ({@code linux.devices}), cgroup rules ({@code linux.resources.devices}) and, from CDI specs, the
 * environment, mounts and hooks the devices need. Host nodes are read when the spec is built (create and every
 * start), so a device that disappeared is reported with dockerd's message.
 */
public final class DeviceSpecs {
    private final CdiRegistry cdi;

    public DeviceSpecs(CdiRegistry cdi) {
        this.cdi = cdi;
    }

    /** Everything the device fields of {@code hc} resolve to. */
    public record Plan(List<DeviceNode> nodes, List<DeviceRule> rules, List<CdiSpec.Edits> edits) {
    }

    public Plan plan(HostConfig hc) {
        Map<String, DeviceNode> nodes = new LinkedHashMap<>();
        List<DeviceRule> rules = new ArrayList<>();
        if (hc.devices() != null) {
            for (HostConfig.DeviceMapping d : hc.devices()) {
                for (HostDevices.Mapped m : HostDevices.map(d)) {
                    nodes.put(m.node().path(), m.node());
                    rules.add(m.rule());
                }
            }
        }
        if (hc.deviceCgroupRules() != null) {
            for (String r : hc.deviceCgroupRules()) {
                rules.add(DeviceRule.parse(r));
            }
        }
        List<CdiSpec.Edits> edits = new ArrayList<>(cdi.resolve(NvidiaGpus.requests(hc, cdi)));
        List<String> nvidiaEnv = NvidiaGpus.env(hc.nvidiaConfig());
        if (!nvidiaEnv.isEmpty()) {
            edits.add(new CdiSpec.Edits(nvidiaEnv, List.of(), List.of(), List.of()));
        }
        for (CdiSpec.Edits e : edits) {
            for (JsonNode n : e.deviceNodes()) {
                DeviceNode node = cdiNode(n);
                nodes.put(node.path(), node);
                String perms = n.path("permissions").asText("");
                rules.add(node.rule(perms.isEmpty() ? "rwm" : perms));
            }
        }
        return new Plan(List.copyOf(nodes.values()), List.copyOf(rules), List.copyOf(edits));
    }

    /** The cgroup rules of {@code hc}'s devices (for {@code linux.resources} rebuilt on update). */
    public List<DeviceRule> rules(HostConfig hc) {
        return plan(hc).rules();
    }

    /** Adds {@code plan} to {@code spec}, whose {@code linux.resources.devices} already has the default rules. */
    public static void apply(ObjectNode spec, Plan plan) {
        ObjectNode linux = spec.withObject("/linux");
        ArrayNode devices = linux.withArray("devices");
        plan.nodes().forEach(n -> devices.add(n.toSpec()));
        addRules(linux.withObject("/resources"), plan.rules());
        ObjectNode process = spec.withObject("/process");
        for (CdiSpec.Edits e : plan.edits()) {
            for (String env : e.env()) {
                setEnv(process.withArray("env"), env);
            }
            for (JsonNode m : e.mounts()) {
                spec.withArray("mounts").add(cdiMount(m));
            }
            for (JsonNode h : e.hooks()) {
                String name = h.path("hookName").asText("");
                if (!List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                        "poststop").contains(name)) {
                    throw PouchException.invalidArgument("CDI device injection failed: unknown hook \"" + name + "\"");
                }
                ObjectNode hook = spec.withObject("/hooks").withArray(name).addObject();
                hook.put("path", h.path("path").asText());
                copyArray(h, hook, "args");
                copyArray(h, hook, "env");
                if (h.has("timeout")) {
                    hook.put("timeout", h.path("timeout").asInt());
                }
            }
        }
    }

    /** Adds {@code nodes} to the spec's {@code linux.devices}, after those already there, once per path. */
    public static void addNodes(ObjectNode spec, List<DeviceNode> nodes) {
        ArrayNode arr = spec.withObject("/linux").withArray("devices");
        Set<String> have = new HashSet<>();
        arr.forEach(d -> have.add(d.path("path").asText()));
        for (DeviceNode n : nodes) {
            if (have.add(n.path())) {
                arr.add(n.toSpec());
            }
        }
    }

    /** Appends {@code rules} to {@code resources.devices}. */
    public static void addRules(ObjectNode resources, List<DeviceRule> rules) {
        ArrayNode a = resources.withArray("devices");
        rules.forEach(r -> a.add(r.toSpec()));
    }

    /** A CDI device node: the host's numbers and mode unless the spec file gives them. */
    static DeviceNode cdiNode(JsonNode n) {
        String path = n.path("path").asText("");
        if (!path.startsWith("/")) {
            throw PouchException.invalidArgument("CDI device injection failed: device node path \"" + path
                    + "\" is not absolute");
        }
        String hostPath = n.path("hostPath").asText(path);
        DeviceNode host = null;
        if (!n.hasNonNull("type") || !n.hasNonNull("major")) {
            try {
                host = HostDevices.stat(Path.of(hostPath).toRealPath());
            } catch (NoSuchFileException e) {
                throw PouchException.invalidArgument("CDI device injection failed: stat " + hostPath
                        + ": no such file or directory");
            } catch (IOException e) {
                throw PouchException.invalidArgument("CDI device injection failed: stat " + hostPath + ": "
                        + e.getMessage());
            }
            if (host == null) {
                throw PouchException.invalidArgument("CDI device injection failed: " + hostPath
                        + " is not a device node");
            }
        }
        String type = n.path("type").asText(host == null ? "c" : host.type());
        long major = n.has("major") ? n.path("major").asLong() : host.major();
        long minor = n.has("minor") ? n.path("minor").asLong() : host.minor();
        int mode = n.has("fileMode") ? n.path("fileMode").asInt() : host == null ? 0666 : host.fileMode();
        int uid = n.has("uid") ? n.path("uid").asInt() : host == null ? 0 : host.uid();
        int gid = n.has("gid") ? n.path("gid").asInt() : host == null ? 0 : host.gid();
        return new DeviceNode(path, type, major, minor, mode, uid, gid);
    }

    private static ObjectNode cdiMount(JsonNode m) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        String dst = m.path("containerPath").asText("");
        if (!dst.startsWith("/")) {
            throw PouchException.invalidArgument("CDI device injection failed: mount containerPath \"" + dst
                    + "\" is not absolute");
        }
        o.put("destination", dst);
        o.put("type", m.path("type").asText("bind"));
        o.put("source", m.path("hostPath").asText());
        ArrayNode opts = o.putArray("options");
        m.path("options").forEach(x -> opts.add(x.asText()));
        if ("bind".equals(o.path("type").asText()) && opts.isEmpty()) {
            opts.add("rbind").add("rprivate");
        }
        return o;
    }

    private static void setEnv(ArrayNode env, String kv) {
        int eq = kv.indexOf('=');
        String prefix = eq < 0 ? kv + "=" : kv.substring(0, eq + 1);
        for (int i = env.size() - 1; i >= 0; i--) {
            if (env.get(i).asText().startsWith(prefix)) {
                env.remove(i);
            }
        }
        env.add(kv);
    }

    private static void copyArray(JsonNode from, ObjectNode to, String field) {
        if (from.path(field).isArray() && !from.path(field).isEmpty()) {
            ArrayNode a = to.putArray(field);
            from.path(field).forEach(x -> a.add(x.asText()));
        }
    }
}
