package io.pouch.cli.network;

import io.pouch.cli.CommandGroup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.format.GoJson;
import io.pouch.cli.format.GoTemplate;
import io.pouch.cli.format.ListFormat;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code network create|ls|inspect|rm|prune|connect|disconnect}, with docker's flags, output and exit codes. */
public final class NetworkCommands {
    private NetworkCommands() {
    }

    static ObjectNode keyValues(List<String> pairs) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            o.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
        }
        return o;
    }

    @Command(name = "create", description = "Create a network")
    public static class Create extends PouchCommand {
        @Parameters(index = "0", paramLabel = "NETWORK", arity = "0..1")
        String name;

        @Option(names = {"-n", "--name"}, description = "The name of the network (Pouch's form of NETWORK)")
        String nameFlag;

        @Mixin
        NetworkCreateFlags flags = new NetworkCreateFlags();

        @Override
        public Integer call() {
            if ((name == null) == (nameFlag == null)) {
                throw new CliException("\"pouch network create\" requires exactly 1 argument.", 1);
            }
            ObjectNode body = flags.body(name != null ? name : nameFlag);
            JsonNode r = client().post("/networks/create", null, body).json();
            out().println(r.path("Id").asText());
            out().flush();
            String warning = r.path("Warning").asText("");
            if (!warning.isEmpty()) {
                err().println(warning);
                err().flush();
            }
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List networks")
    public static class Ls extends PouchCommand {
        static final Map<String, String> HEADERS = Map.of("ID", "NETWORK ID", "Name", "NAME", "Driver", "DRIVER",
                "Scope", "SCOPE", "IPv6", "IPV6", "Internal", "INTERNAL", "Labels", "LABELS", "CreatedAt", "CREATED AT");

        @Option(names = {"-q", "--quiet"}, description = "Only display network IDs")
        boolean quiet;

        @Option(names = {"-f", "--filter"}, description = "Provide filter values (e.g. 'driver=bridge')")
        List<String> filters = new ArrayList<>();

        @Option(names = "--format", description = "Format output using a Go template")
        String format;

        @Option(names = "--no-trunc", description = "Do not truncate the output")
        boolean noTrunc;

        @Override
        public Integer call() {
            JsonNode list = client().get("/networks", Query.of("filters", Query.filters(filters))).json();
            out().print(new ListFormat(quiet ? "{{.ID}}" : format != null ? format
                    : "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", HEADERS).render(rows(list, noTrunc)));
            out().flush();
            return 0;
        }

        /** Display rows sorted by name (docker sorts them), ids cut to 12 characters unless --no-trunc. */
        static List<ObjectNode> rows(JsonNode list, boolean noTrunc) {
            List<ObjectNode> rows = new ArrayList<>();
            for (JsonNode n : list) {
                ObjectNode r = ((ObjectNode) n).deepCopy();
                String id = text(n, "Id");
                r.put("ID", noTrunc || id.length() <= 12 ? id : id.substring(0, 12));
                List<String> l = new ArrayList<>();
                n.path("Labels").properties().forEach(e -> l.add(e.getKey() + "=" + e.getValue().asText()));
                r.put("Labels", String.join(",", l));
                r.put("IPv6", Boolean.toString(n.path("EnableIPv6").asBoolean(false)));
                r.put("Internal", Boolean.toString(n.path("Internal").asBoolean(false)));
                r.put("CreatedAt", text(n, "Created"));
                rows.add(r);
            }
            rows.sort((a, b) -> a.path("Name").asText().compareTo(b.path("Name").asText()));
            return rows;
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more networks")
    public static class Inspect extends PouchCommand {
        @Option(names = {"-f", "--format"}, description = "Format output using a Go template")
        String format;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names;

        @Override
        public Integer call() {
            return inspectEach("/networks", "network", names, format);
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more networks")
    public static class Rm extends PouchCommand {
        @Option(names = {"-f", "--force"}, description = "Do not error if the network does not exist")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NETWORK")
        List<String> names;

        @Override
        public Integer call() {
            boolean failed = false;
            for (String n : names) {
                try {
                    client().delete("/networks/" + PouchClient.escape(n), null);
                    out().println(n);
                    out().flush();
                } catch (PouchClientException e) {
                    if (force && e.status() == 404) {
                        continue;
                    }
                    report(e);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }
    }

    @Command(name = "prune", description = "Remove all unused networks")
    public static class Prune extends PouchCommand {
        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
        boolean force;

        @Option(names = "--filter", description = "Provide filter values (e.g. 'until=<timestamp>')")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (!force) {
                out().print("WARNING! This will remove all custom networks not used by at least one container.\n"
                        + "Are you sure you want to continue? [y/N] ");
                out().flush();
                String answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
                if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
                    return 0;
                }
            }
            JsonNode r = client().post("/networks/prune", Query.of("filters", Query.filters(filters)), null).json();
            JsonNode deleted = r.path("NetworksDeleted");
            if (deleted.isArray() && !deleted.isEmpty()) {
                out().println("Deleted Networks:");
                deleted.forEach(v -> out().println(v.asText()));
                out().println();
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "connect", description = "Connect a container to a network")
    public static class Connect extends PouchCommand {
        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Option(names = "--ip", description = "IPv4 address (e.g., 172.30.100.104)")
        String ip;

        @Option(names = "--alias", description = "Add network-scoped alias for the container")
        List<String> aliases = new ArrayList<>();

        @Option(names = "--link", description = "Add link to another container")
        List<String> links = new ArrayList<>();

        @Override
        public Integer call() {
            ObjectNode body = connectBody(container, ip, aliases, links);
            client().post("/networks/" + PouchClient.escape(network) + "/connect", null, body);
            return 0;
        }
    }

    static ObjectNode connectBody(String container, String ip, List<String> aliases, List<String> links) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("Container", container);
        ObjectNode ep = body.putObject("EndpointConfig");
        if (ip != null) {
            ep.putObject("IPAMConfig").put("IPv4Address", ip);
        }
        if (!aliases.isEmpty()) {
            ArrayNode a = ep.putArray("Aliases");
            aliases.forEach(a::add);
        }
        if (!links.isEmpty()) {
            ArrayNode l = ep.putArray("Links");
            links.forEach(s -> l.add(NetworkOptions.link(s)));
        }
        return body;
    }

    @Command(name = "disconnect", description = "Disconnect a container from a network")
    public static class Disconnect extends PouchCommand {
        @Parameters(index = "0", paramLabel = "NETWORK")
        String network;

        @Parameters(index = "1", paramLabel = "CONTAINER")
        String container;

        @Option(names = {"-f", "--force"}, description = "Force the container to disconnect from a network")
        boolean force;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("Container", container);
            body.put("Force", force);
            client().post("/networks/" + PouchClient.escape(network) + "/disconnect", null, body);
            return 0;
        }
    }

    @Command(name = "network", description = "Manage networks",
            subcommands = {Create.class, Ls.class, Inspect.class, Rm.class, Prune.class, Connect.class,
                    Disconnect.class})
    public static class NetworkGroup extends CommandGroup {
    }
}
