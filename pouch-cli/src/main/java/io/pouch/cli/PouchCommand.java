package io.pouch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine;

import java.io.PrintWriter;
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
}
