package io.pouch.cli.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.client.PouchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** {@code port CONTAINER [PRIVATE_PORT[/PROTO]]}: the published mappings from inspect's NetworkSettings.Ports. */
@Command(name = "port", description = "List port mappings or a specific mapping for the container")
public final class PortCommand extends PouchCommand {
    @Parameters(index = "0", paramLabel = "CONTAINER")
    String container;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PRIVATE_PORT[/PROTO]")
    String privatePort;

    @Override
    public Integer call() {
        JsonNode ports = client().get("/containers/" + PouchClient.escape(container) + "/json", null).json()
                .path("NetworkSettings").path("Ports");
        out().print(String.join("", lines(ports, privatePort, container)));
        out().flush();
        return 0;
    }

    /** The lines docker prints, each ending in a newline; an unpublished PRIVATE_PORT is an error (exit 1). */
    static List<String> lines(JsonNode ports, String privatePort, String container) {
        List<String> out = new ArrayList<>();
        if (privatePort != null) {
            String key = privatePort.contains("/") ? privatePort : privatePort + "/tcp";
            try {
                Integer.parseInt(key.substring(0, key.indexOf('/')));
            } catch (NumberFormatException e) {
                throw new CliException("invalid port (" + privatePort + "): must be a number", 1);
            }
            JsonNode b = ports.path(key);
            if (!b.isArray() || b.isEmpty()) {
                throw new CliException("No public port '" + key + "' published for " + container, 1);
            }
            b.forEach(x -> out.add(hostPort(x) + "\n"));
            return out;
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(ports.properties());
        // docker orders by port number, then protocol
        entries.sort(Comparator.<Map.Entry<String, JsonNode>>comparingInt(e -> number(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<String, JsonNode> e : entries) {
            if (e.getValue().isArray()) {
                e.getValue().forEach(x -> out.add(e.getKey() + " -> " + hostPort(x) + "\n"));
            }
        }
        return out;
    }

    private static int number(String key) {
        int slash = key.indexOf('/');
        try {
            return Integer.parseInt(slash < 0 ? key : key.substring(0, slash));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** host:port, with an IPv6 host in brackets (Go's net.JoinHostPort). */
    private static String hostPort(JsonNode binding) {
        String ip = binding.path("HostIp").asText("");
        String port = binding.path("HostPort").asText("");
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }
}
