package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.format.ListFormat;
import io.pouch.cli.format.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@Command(name = "ps", aliases = "list", description = "List containers")
public class PsCommand extends PouchCommand {
    static final String DEFAULT_FORMAT =
            "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    static final Map<String, String> HEADERS = Map.ofEntries(
            Map.entry("ID", "CONTAINER ID"), Map.entry("Image", "IMAGE"), Map.entry("Command", "COMMAND"),
            Map.entry("RunningFor", "CREATED"), Map.entry("CreatedAt", "CREATED AT"), Map.entry("Status", "STATUS"),
            Map.entry("Ports", "PORTS"), Map.entry("Names", "NAMES"), Map.entry("Size", "SIZE"),
            Map.entry("Labels", "LABELS"), Map.entry("Mounts", "MOUNTS"), Map.entry("Networks", "NETWORKS"),
            Map.entry("State", "STATE"), Map.entry("LocalVolumes", "LOCAL VOLUMES"));

    @Option(names = {"-a", "--all"}, description = "Show all containers (default shows just running)")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Only display container IDs")
    boolean quiet;

    @Option(names = {"-s", "--size"}, description = "Display total file sizes")
    boolean size;

    @Option(names = "--no-trunc", description = "Don't truncate output")
    boolean noTrunc;

    @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", description = "Format output using a Go template, 'table ...' or 'json'")
    String format;

    @Option(names = {"-n", "--last"}, description = "Show n last created containers (includes all states)",
            defaultValue = "-1")
    int last;

    @Option(names = {"-l", "--latest"}, description = "Show the latest created container (includes all states)")
    boolean latest;

    @Override
    public Integer call() {
        int limit = latest ? 1 : last;
        boolean wantSize = size || format != null && format.contains(".Size");
        JsonNode list = client().get("/containers/json", Query.of("all", all ? Boolean.TRUE : null,
                "limit", limit > 0 ? limit : null, "size", wantSize ? Boolean.TRUE : null,
                "filters", Query.filters(filters))).json();
        Instant now = Instant.now();
        List<ObjectNode> rows = new ArrayList<>();
        for (JsonNode c : list) {
            rows.add(row(c, !noTrunc, now));
        }
        String f = format;
        if (quiet) {
            f = "{{.ID}}";
        } else if (f == null) {
            f = size ? DEFAULT_FORMAT + "\t{{.Size}}" : DEFAULT_FORMAT;
        }
        out().print(new ListFormat(f, HEADERS).render(rows));
        out().flush();
        return 0;
    }

    /** The display fields of one /containers/json entry, as docker's container formatter computes them. */
    static ObjectNode row(JsonNode c, boolean trunc, Instant now) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        String id = c.path("Id").asText();
        r.put("ID", trunc ? Units.shortId(id) : id);
        String image = c.path("Image").asText();
        if (trunc && image.startsWith("sha256:")) {
            image = Units.shortId(image);
        }
        r.put("Image", image);
        String command = c.path("Command").asText();
        r.put("Command", "\"" + (trunc ? Units.ellipsis(command, 20) : command) + "\"");
        long created = c.path("Created").asLong();
        r.put("CreatedAt", ZonedDateTime.ofInstant(Instant.ofEpochSecond(created),
                ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm:ss Z z")));
        r.put("RunningFor", Units.humanDuration(Duration.between(Instant.ofEpochSecond(created), now)) + " ago");
        r.put("Status", c.path("Status").asText());
        r.put("State", c.path("State").asText());
        r.put("Ports", ports(c.path("Ports")));
        List<String> names = new ArrayList<>();
        for (JsonNode n : c.path("Names")) {
            String name = n.asText();
            name = name.startsWith("/") ? name.substring(1) : name;
            if (!trunc || !name.contains("/")) { // names with a slash are legacy links
                names.add(name);
            }
        }
        r.put("Names", String.join(",", names));
        long rw = c.path("SizeRw").asLong();
        long rootFs = c.path("SizeRootFs").asLong();
        r.put("Size", Units.humanSize(rw) + (rootFs > 0 ? " (virtual " + Units.humanSize(rootFs) + ")" : ""));
        Map<String, String> labels = new TreeMap<>();
        c.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        List<String> pairs = new ArrayList<>();
        labels.forEach((k, v) -> pairs.add(k + "=" + v));
        r.put("Labels", String.join(",", pairs));
        List<String> mounts = new ArrayList<>();
        for (JsonNode m : c.path("Mounts")) {
            String name = m.hasNonNull("Name") && !m.get("Name").asText().isEmpty() ? m.get("Name").asText()
                    : m.path("Source").asText();
            mounts.add(trunc ? Units.ellipsis(name, 15) : name);
        }
        r.put("Mounts", String.join(",", mounts));
        List<String> networks = new ArrayList<>();
        c.path("NetworkSettings").path("Networks").fieldNames().forEachRemaining(networks::add);
        r.put("Networks", String.join(",", networks));
        return r;
    }

    /** "0.0.0.0:8080->80/tcp, 443/tcp", as docker's DisplayablePorts (without its range folding). */
    static String ports(JsonNode ports) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : ports) {
            String proto = p.path("Type").asText("tcp");
            int priv = p.path("PrivatePort").asInt();
            if (p.hasNonNull("PublicPort") && p.get("PublicPort").asInt() != 0) {
                String ip = p.path("IP").asText("");
                String host = ip.contains(":") ? "[" + ip + "]" : ip;
                out.add(host + ":" + p.get("PublicPort").asInt() + "->" + priv + "/" + proto);
            } else {
                out.add(priv + "/" + proto);
            }
        }
        return String.join(", ", out);
    }
}
