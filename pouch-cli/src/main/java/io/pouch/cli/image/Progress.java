package io.pouch.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.pouch.api.Json;
import io.pouch.client.PouchClientException;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

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
}
