package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders rows (one JSON object of display fields per container/image/...) through a {@code --format} value, as
 * docker's formatter does: {@code table ...} prints a header row (each field's column title) and aligns columns,
 * {@code json} prints one JSON object per row, anything else is a template applied to each row. A literal
 * {@code \t} or {@code \n} typed in the shell becomes a tab or newline, as in docker.
 */
public final class ListFormat {
    private static final Pattern FIELD = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)");

    private final String template;
    private final boolean table;
    private final Map<String, String> headers;

    /** {@code headers}: field name to column title ("ID" to "CONTAINER ID"); others get their upper-cased name. */
    public ListFormat(String format, Map<String, String> headers) {
        String f = format.replace("\\t", "\t").replace("\\n", "\n");
        if (f.strip().equals("json")) {
            f = "{{json .}}";
        }
        this.table = f.startsWith("table");
        this.template = table ? f.substring("table".length()).stripLeading() : f;
        this.headers = headers;
    }

    public String render(List<? extends JsonNode> rows) {
        GoTemplate t = GoTemplate.parse(template);
        StringBuilder out = new StringBuilder();
        if (table) {
            out.append(t.execute(headerRow())).append('\n');
        }
        for (JsonNode row : rows) {
            out.append(t.execute(row)).append('\n');
        }
        return table ? Table.align(out.toString()) : out.toString();
    }

    /** A row whose every field holds its column title, so the same template prints the header line. */
    private JsonNode headerRow() {
        ObjectNode h = Json.MAPPER.createObjectNode();
        Matcher m = FIELD.matcher(template);
        while (m.find()) {
            String field = m.group(1);
            h.put(field, headers.getOrDefault(field, field.toUpperCase(Locale.ROOT)));
        }
        return h;
    }
}
