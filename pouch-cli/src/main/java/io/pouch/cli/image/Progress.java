package io.pouch.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.pouch.api.Json;
import io.pouch.client.PouchClientException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a stream of JSON messages (pull, load, import) the way docker does without a terminal: one line per
 * status ("id: status"), {@code stream} text as is, and an {@code error} ends the command with that message.
 * Intermediate progress updates (a {@code progressDetail} with a current count) are skipped.
 */
public final class Progress {
    private Progress() {
    }

    public static void print(InputStream body, PrintWriter out) throws IOException {
        try (MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                JsonNode m = it.nextValue();
                if (m.hasNonNull("error") || m.hasNonNull("errorDetail")) {
                    String msg = m.hasNonNull("error") ? m.get("error").asText()
                            : m.path("errorDetail").path("message").asText();
                    out.flush();
                    throw new PouchClientException(500, msg);
                }
                if (m.hasNonNull("stream")) {
                    out.print(m.get("stream").asText());
                } else if (m.hasNonNull("status")) {
                    if (m.path("progressDetail").has("current")) {
                        continue;
                    }
                    String id = m.path("id").asText("");
                    out.println(id.isEmpty() ? m.get("status").asText() : id + ": " + m.get("status").asText());
                }
                out.flush();
            }
        }
    }

    /**
     * The terminal rendering docker uses: one line per layer id, rewritten in place (cursor up, clear line) as its
     * status and progress bar change; lines without an id are printed below.
     */
    public static void printTerminal(InputStream body, PrintWriter out) throws IOException {
        List<String> ids = new ArrayList<>();
        try (MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(body)) {
            while (it.hasNextValue()) {
                JsonNode m = it.nextValue();
                if (m.hasNonNull("error") || m.hasNonNull("errorDetail")) {
                    String msg = m.hasNonNull("error") ? m.get("error").asText()
                            : m.path("errorDetail").path("message").asText();
                    out.flush();
                    throw new PouchClientException(500, msg);
                }
                if (m.hasNonNull("stream")) {
                    out.print(m.get("stream").asText());
                    out.flush();
                    continue;
                }
                if (!m.hasNonNull("status")) {
                    continue;
                }
                String id = m.path("id").asText("");
                String line = (id.isEmpty() ? "" : id + ": ") + m.get("status").asText()
                        + (m.hasNonNull("progress") ? " " + m.get("progress").asText() : "");
                if (id.isEmpty()) {
                    out.print(line + "\n");
                    ids.clear();
                } else if (!ids.contains(id)) {
                    ids.add(id);
                    out.print(line + "\n");
                } else {
                    int up = ids.size() - ids.indexOf(id);
                    out.print("\u001b[" + up + "A\u001b[2K\r" + line + "\u001b[" + up + "B\r");
                }
                out.flush();
            }
        }
    }
}
