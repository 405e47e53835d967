package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.format.GoJson;
import io.pouch.cli.format.GoTemplate;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/**
 * {@code inspect}: containers first, then images (unless {@code --type} says which), printed as an indented JSON
 * array or through {@code -f}. Missing objects are reported after the others are printed, as docker does.
 */
@Command(name = "inspect", description = "Return low-level information on Pouch objects")
public class InspectCommand extends PouchCommand {
    @Option(names = {"-f", "--format"}, description = "Format output using a Go template")
    String format;

    @Option(names = "--type", description = "Only inspect objects of the given type (container, image)")
    String type;

    @Option(names = {"-s", "--size"}, description = "Display total file sizes if the type is container")
    boolean size;

    @Parameters(arity = "1..*", paramLabel = "NAME|ID")
    List<String> names;

    protected String forcedType() {
        return null;
    }

    @Override
    public Integer call() {
        String kind = forcedType() != null ? forcedType() : type;
        if (kind != null && !kind.equals("container") && !kind.equals("image")) {
            throw new CliException("\"" + kind + "\" is not a valid value for --type");
        }
        GoTemplate template = format == null ? null : GoTemplate.parse(format.replace("\\t", "\t").replace("\\n", "\n"));
        ArrayNode found = Json.MAPPER.createArrayNode();
        StringBuilder missing = new StringBuilder();
        for (String name : names) {
            JsonNode obj = lookup(name, kind);
            if (obj == null) {
                String what = kind == null ? "object" : kind;
                missing.append("Error: No such ").append(what).append(": ").append(name).append('\n');
            } else {
                found.add(obj);
            }
        }
        if (template != null) {
            for (JsonNode obj : found) {
                out().println(template.execute(obj));
            }
        } else {
            out().println(GoJson.indented(found));
        }
        out().flush();
        if (!missing.isEmpty()) {
            err().print(missing);
            err().flush();
            return 1;
        }
        return 0;
    }

    private JsonNode lookup(String name, String kind) {
        PouchClient client = client();
        if (kind == null || kind.equals("container")) {
            try {
                return client.get("/containers/" + PouchClient.escape(name) + "/json",
                        Query.of("size", size ? Boolean.TRUE : null)).json();
            } catch (PouchClientException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        if (kind == null || kind.equals("image")) {
            try {
                return client.get("/images/" + PouchClient.escape(name) + "/json", null).json();
            } catch (PouchClientException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        return null;
    }
}
