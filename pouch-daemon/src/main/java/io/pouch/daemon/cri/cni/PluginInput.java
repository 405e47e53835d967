package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one plugin execution is given, per the CNI spec: the plugin's configuration with the list's name and
 * cniVersion, the previous result and the runtime configuration of the capabilities it declares injected (stdin),
 * and the CNI_* environment.
 */
final class PluginInput {
    static final String PORT_MAPPINGS = "portMappings";
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    private PluginInput() {
    }

    /**
     * The stdin of plugin {@code index} of {@code list}: its own configuration, plus "name" and "cniVersion" of
     * the list, "prevResult" when there is one, and "runtimeConfig" with the capability arguments the plugin
     * declares in "capabilities" (libcni's injectRuntimeConfig: only those it declares true, and only those the
     * runtime has).
     */
    static ObjectNode stdin(NetworkConfigList list, int index, JsonNode prevResult, ObjectNode capabilityArgs) {
        ObjectNode conf = list.plugins().get(index).deepCopy();
        conf.put("name", list.name());
        conf.put("cniVersion", list.cniVersion());
        if (prevResult != null && !prevResult.isNull()) {
            conf.set("prevResult", prevResult);
        } else {
            conf.remove("prevResult");
        }
        ObjectNode rc = Json.MAPPER.createObjectNode();
        if (conf.get("capabilities") instanceof ObjectNode caps && capabilityArgs != null) {
            caps.properties().forEach(c -> {
                if (c.getValue().asBoolean(false) && capabilityArgs.has(c.getKey())) {
                    rc.set(c.getKey(), capabilityArgs.get(c.getKey()));
                }
            });
        }
        if (!rc.isEmpty()) {
            conf.set("runtimeConfig", rc);
        }
        return conf;
    }

    /**
     * The runtime's capability arguments: {@code portMappings} with the mappings that publish a host port
     * (hostPort 0 means none, as containerd filters them), protocol in lower case.
     */
    static ObjectNode capabilityArgs(List<PortMapping> mappings) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        ArrayNode pm = args.putArray(PORT_MAPPINGS);
        for (PortMapping m : mappings) {
            if (m.hostPort() <= 0) {
                continue;
            }
            if (m.hostPort() > 65535 || m.containerPort() <= 0 || m.containerPort() > 65535) {
                throw PouchException.invalidArgument("invalid port mapping " + m.hostPort() + ":"
                        + m.containerPort() + " (ports are 1-65535)");
            }
            String proto = m.protocol() == null || m.protocol().isBlank() ? "tcp"
                    : m.protocol().toLowerCase(Locale.ROOT);
            if (!PROTOCOLS.contains(proto)) {
                throw PouchException.invalidArgument("invalid port mapping protocol \"" + m.protocol()
                        + "\" (tcp, udp or sctp)");
            }
            ObjectNode e = pm.addObject();
            e.put("hostPort", m.hostPort());
            e.put("containerPort", m.containerPort());
            e.put("protocol", proto);
            if (m.hostIp() != null && !m.hostIp().isEmpty()) {
                e.put("hostIP", m.hostIp());
            }
        }
        return args;
    }

    /** CNI_ARGS as kubelet's network plugins and containerd pass them. */
    static String cniArgs(PodNetworkRequest r) {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("IgnoreUnknown", "1");
        args.put("K8S_POD_NAMESPACE", nz(r.podNamespace()));
        args.put("K8S_POD_NAME", nz(r.podName()));
        args.put("K8S_POD_INFRA_CONTAINER_ID", nz(r.sandboxId()));
        args.put("K8S_POD_UID", nz(r.podUid()));
        args.forEach((k, v) -> {
            // ';' separates the pairs and '=' key from value: such a value would be read as other arguments
            if (v.indexOf(';') >= 0 || v.indexOf('=') >= 0) {
                throw PouchException.invalidArgument("invalid " + k + " \"" + v + "\": ';' and '=' are not allowed");
            }
        });
        return args.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
    }

    /** The CNI_* variables of one execution. */
    static Map<String, String> env(String command, String containerId, String netns, String ifName,
                                   List<Path> binDirs, String cniArgs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns == null ? "" : netns);
        env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", binDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        env.put("CNI_ARGS", cniArgs);
        return env;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
