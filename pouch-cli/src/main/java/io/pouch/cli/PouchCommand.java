package io.pouch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pouch.api.Json;
import io.pouch.cli.format.GoJson;
import io.pouch.cli.format.GoTemplate;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Base of every subcommand: reaches the shared client through the root {@link Main}. */
public abstract class PouchCommand implements Callable<Integer> {
    @CommandLine.Spec
    protected CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--help", usageHelp = true, description = "Print usage")
    boolean help;

    protected PouchClient client() {
        return ((Main) spec.root().userObject()).client();
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Exit code for daemon and client errors: 1 like most docker commands; run and create use 125. */
    public int errorExitCode() {
        return 1;
    }

    /** Prints a per-argument failure the way docker does when it carries on with the other arguments. */
    protected void report(RuntimeException e) {
        if (e instanceof PouchClientException pce && !pce.isTransportFailure()) {
            err().println("Error response from daemon: " + pce.getMessage());
        } else {
            err().println(e instanceof PouchClientException ? e.getMessage() : "Error: " + e.getMessage());
        }
        err().flush();
        if (e instanceof PouchClientException pce && pce.isTransportFailure()) {
            throw e; // no point trying the next argument
        }
    }

    protected static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /**
     * {@code network inspect}, {@code volume inspect}: fetches {@code <collection>/<name>} for each name, prints
     * them as one indented JSON array (or through {@code format}), then "Error: No such <kind>: x" for the
     * missing ones; exit 1 when any was missing, as docker does.
     */
    protected int inspectEach(String collection, String kind, List<String> names, String format) {
        GoTemplate template = format == null ? null : GoTemplate.parse(format.replace("\\t", "\t")
                .replace("\\n", "\n"));
        ArrayNode found = Json.MAPPER.createArrayNode();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            try {
                found.add(client().get(collection + "/" + PouchClient.escape(n), null).json());
            } catch (PouchClientException e) {
                if (e.status() != 404) {
                    throw e;
                }
                missing.add("Error: No such " + kind + ": " + n);
            }
        }
        if (template != null) {
            for (JsonNode v : found) {
                out().println(template.execute(v));
            }
        } else {
            out().println(GoJson.indented(found));
        }
        out().flush();
        missing.forEach(err()::println);
        err().flush();
        return missing.isEmpty() ? 0 : 1;
    }
}
