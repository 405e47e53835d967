package io.pouch.cli.volume;

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
import io.pouch.cli.format.Units;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code volume create|ls|inspect|rm|prune}, with docker's flags and output. */
public final class VolumeCommands {
    private VolumeCommands() {
    }

    static ObjectNode keyValues(List<String> pairs, String flag) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0 && flag.equals("--opt")) {
                throw new CliException("invalid argument \"" + p + "\" for \"-o, --opt\" flag: invalid key value pair"
                        + " format in driver options");
            }
            o.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
        }
        return o;
    }

    @Command(name = "create", description = "Create a volume")
    public static class Create extends PouchCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "VOLUME")
        String name;

        @Option(names = "--name", hidden = true, description = "Specify volume name")
        String nameFlag;

        @Option(names = {"-d", "--driver"}, description = "Specify volume driver name", defaultValue = "local")
        String driver;

        @Option(names = {"-o", "--opt"}, description = "Set driver specific options")
        List<String> opts = new ArrayList<>();

        @Option(names = "--label", description = "Set metadata for a volume")
        List<String> labels = new ArrayList<>();

        @Option(names = {"-s", "--selector"}, paramLabel = "KEY=VALUE", description = "Set volume selectors")
        List<String> selectors = new ArrayList<>();

        @Override
        public Integer call() {
            if (name != null && nameFlag != null && !name.equals(nameFlag)) {
                throw new CliException("conflicting options: either specify --name or provide positional arg, not both");
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("Name", name != null ? name : nameFlag != null ? nameFlag : "");
            body.put("Driver", driver);
            ObjectNode driverOpts = keyValues(opts, "--opt");
            for (String sel : selectors) { // Pouch sends a selector as the driver option selector.<key>
                int eq = sel.indexOf('=');
                if (eq <= 0 || sel.indexOf('=', eq + 1) >= 0) {
                    throw new CliException("unknown selector " + sel + ": selector format must be key=value");
                }
                driverOpts.put("selector." + sel.substring(0, eq), sel.substring(eq + 1));
            }
            body.set("DriverOpts", driverOpts);
            body.set("Labels", keyValues(labels, "--label"));
            JsonNode v = client().post("/volumes/create", null, body).json();
            out().println(v.path("Name").asText());
            out().flush();
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List volumes")
    public static class Ls extends PouchCommand {
        static final Map<String, String> HEADERS = Map.of("Name", "VOLUME NAME", "Driver", "DRIVER",
                "Scope", "SCOPE", "Mountpoint", "MOUNTPOINT", "Labels", "LABELS", "Links", "LINKS", "Size", "SIZE");

        @Option(names = {"-q", "--quiet"}, description = "Only display volume names")
        boolean quiet;

        @Option(names = {"-f", "--filter"}, description = "Provide filter values (e.g. 'dangling=true')")
        List<String> filters = new ArrayList<>();

        @Option(names = "--format", description = "Format output using a Go template")
        String format;

        @Override
        public Integer call() {
            JsonNode list = client().get("/volumes", Query.of("filters", Query.filters(filters))).json();
            List<ObjectNode> rows = new ArrayList<>();
            for (JsonNode v : list.path("Volumes")) {
                ObjectNode r = ((ObjectNode) v).deepCopy();
                List<String> l = new ArrayList<>();
                v.path("Labels").properties().forEach(e -> l.add(e.getKey() + "=" + e.getValue().asText()));
                r.put("Labels", String.join(",", l));
                r.put("Links", "N/A");
                r.put("Size", "N/A");
                rows.add(r);
            }
            rows.sort((a, b) -> a.path("Name").asText().compareTo(b.path("Name").asText()));
            String fmt = quiet ? "{{.Name}}" : format != null ? format : "table {{.Driver}}\t{{.Name}}";
            out().print(new ListFormat(fmt, HEADERS).render(rows));
            out().flush();
            for (JsonNode w : list.path("Warnings")) {
                err().println(w.asText());
            }
            err().flush();
            return 0;
        }
    }

    @Command(name = "inspect", description = "Display detailed information on one or more volumes")
    public static class Inspect extends PouchCommand {
        @Option(names = {"-f", "--format"}, description = "Format output using a Go template")
        String format;

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        List<String> names;

        @Override
        public Integer call() {
            return inspectEach("/volumes", "volume", names, format);
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more volumes")
    public static class Rm extends PouchCommand {
        @Option(names = {"-f", "--force"}, description = "Force the removal of one or more volumes")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "VOLUME")
        List<String> names;

        @Override
        public Integer call() {
            boolean failed = false;
            for (String n : names) {
                try {
                    client().delete("/volumes/" + PouchClient.escape(n), Query.of("force", force ? Boolean.TRUE : null));
                    out().println(n);
                    out().flush();
                } catch (PouchClientException e) {
                    report(e);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }
    }

    @Command(name = "prune", description = "Remove unused local volumes")
    public static class Prune extends PouchCommand {
        @Option(names = {"-f", "--force"}, description = "Do not prompt for confirmation")
        boolean force;

        @Option(names = {"-a", "--all"}, description = "Remove all unused volumes, not just anonymous ones")
        boolean all;

        @Option(names = "--filter", description = "Provide filter values (e.g. 'label=<label>')")
        List<String> filters = new ArrayList<>();

        @Override
        public Integer call() throws IOException {
            if (!force) {
                out().print("WARNING! This will remove " + (all ? "all local volumes not used by at least one"
                        + " container" : "anonymous local volumes not used by at least one container") + ".\n"
                        + "Are you sure you want to continue? [y/N] ");
                out().flush();
                String answer = new BufferedReader(new InputStreamReader(System.in)).readLine();
                if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
                    return 0;
                }
            }
            List<String> f = new ArrayList<>(filters);
            if (all) {
                f.add("all=true");
            }
            JsonNode r = client().post("/volumes/prune", Query.of("filters", Query.filters(f)), null).json();
            JsonNode deleted = r.path("VolumesDeleted");
            if (deleted.isArray() && !deleted.isEmpty()) {
                out().println("Deleted Volumes:");
                deleted.forEach(v -> out().println(v.asText()));
                out().println();
            }
            out().println("Total reclaimed space: " + Units.humanSize(r.path("SpaceReclaimed").asDouble()));
            out().flush();
            return 0;
        }
    }

    @Command(name = "volume", description = "Manage volumes",
            subcommands = {Create.class, Ls.class, Inspect.class, Rm.class, Prune.class})
    public static class VolumeGroup extends CommandGroup {
    }
}
