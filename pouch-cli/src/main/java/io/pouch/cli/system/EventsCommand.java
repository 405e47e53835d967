package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.pouch.api.Json;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.TimeArgs;
import io.pouch.cli.format.GoTemplate;
import io.pouch.client.StreamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code events}: streams /events and prints each like docker ("TIME TYPE ACTION ID (k=v, ...)"). */
@Command(name = "events", description = "Get real time events from the server")
public class EventsCommand extends PouchCommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    @Option(names = "--since", description = "Show all events created since timestamp")
    String since;

    @Option(names = "--until", description = "Stream events until this timestamp")
    String until;

    @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", description = "Format the output using the given Go template")
    String format;

    @Override
    public Integer call() throws IOException {
        Instant now = Instant.now();
        GoTemplate template = format == null ? null
                : GoTemplate.parse(format.strip().equals("json") ? "{{json .}}" : format);
        try (StreamResponse s = client().stream("GET", "/events", Query.of(
                "since", TimeArgs.timestamp(since, now), "until", TimeArgs.timestamp(until, now),
                "filters", Query.filters(filters)), null);
             MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(s.body())) {
            while (it.hasNextValue()) {
                JsonNode e = it.nextValue();
                out().println(template != null ? template.execute(e) : line(e));
                out().flush();
            }
        }
        return 0;
    }

    static String line(JsonNode e) {
        long nanos = e.path("timeNano").asLong(e.path("time").asLong() * 1_000_000_000L);
        Instant t = Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        StringBuilder sb = new StringBuilder(TIME.format(t.atZone(ZoneId.systemDefault())));
        sb.append(' ').append(e.path("Type").asText()).append(' ').append(e.path("Action").asText())
                .append(' ').append(e.path("Actor").path("ID").asText());
        Map<String, String> attrs = new TreeMap<>();
        e.path("Actor").path("Attributes").fields().forEachRemaining(a -> attrs.put(a.getKey(), a.getValue().asText()));
        if (!attrs.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            attrs.forEach((k, v) -> pairs.add(k + "=" + v));
            sb.append(" (").append(String.join(", ", pairs)).append(')');
        }
        return sb.toString();
    }
}
