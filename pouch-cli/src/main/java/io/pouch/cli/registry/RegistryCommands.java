package io.pouch.cli.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.image.Progress;
import io.pouch.client.StreamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** push, login, logout, search: the registry commands (credentials in {@link AuthStore}). */
public final class RegistryCommands {
    private RegistryCommands() {
    }

    /** The registry of an image name: its first component when it looks like a host, else docker.io. */
    public static String registryOf(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return "docker.io";
    }

    @Command(name = "push", description = "Upload an image to a registry")
    public static class Push extends PouchCommand {
        @Parameters(index = "0", paramLabel = "NAME[:TAG]")
        String image;

        @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            String name = image;
            String tag = "";
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                name = image.substring(0, colon);
                tag = image.substring(colon + 1);
            }
            Map<String, String> h = Map.of("X-Registry-Auth", AuthStore.fromEnvironment().header(registryOf(image)));
            try (StreamResponse s = client().stream("POST", "/images/" + name + "/push", Query.of("tag", tag), null, h)) {
                Progress.print(s.body(), quiet ? new PrintWriter(OutputStream.nullOutputStream()) : out());
            }
            return 0;
        }
    }

    @Command(name = "login", description = "Log in to a registry (default docker.io)")
    public static class Login extends PouchCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER")
        String server;

        @Option(names = {"-u", "--username"}, description = "Username")
        String username;

        @Option(names = {"-p", "--password"}, description = "Password")
        String password;

        @Option(names = "--password-stdin", description = "Take the password from stdin")
        boolean passwordStdin;

        @Override
        public Integer call() throws IOException {
            if (passwordStdin) {
                password = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (username == null || password == null) {
                var console = System.console();
                if (console == null) {
                    throw new CliException("Error: Cannot perform an interactive login from a non TTY device", 1);
                }
                if (username == null) {
                    username = console.readLine("Username: ");
                }
                if (password == null) {
                    password = new String(console.readPassword("Password: "));
                }
            }
            String addr = server == null ? "docker.io" : server;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("username", username);
            body.put("password", password);
            body.put("serveraddress", AuthStore.key(addr));
            JsonNode r = Json.MAPPER.readTree(client().post("/auth", null, body).body());
            AuthStore.fromEnvironment().put(addr, username, password);
            out().println(r.path("Status").asText("Login Succeeded"));
            return 0;
        }
    }

    @Command(name = "logout", description = "Log out from a registry (default docker.io)")
    public static class Logout extends PouchCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "SERVER")
        String server;

        @Override
        public Integer call() throws IOException {
            String addr = server == null ? "docker.io" : server;
            if (AuthStore.fromEnvironment().remove(addr)) {
                out().println("Removing login credentials for " + AuthStore.key(addr));
            } else {
                out().println("Not logged in to " + AuthStore.key(addr));
            }
            return 0;
        }
    }

    @Command(name = "search", description = "Search a registry for images (a registry's catalog, filtered)")
    public static class Search extends PouchCommand {
        @Parameters(index = "0", paramLabel = "TERM")
        String term;

        @Option(names = "--limit", defaultValue = "25", description = "Max number of search results")
        int limit;

        @Option(names = {"-r", "--registry"}, description = "set registry name")
        String registry;

        @Override
        public Integer call() throws IOException {
            // Pouch's route names the registry apart; docker's takes it as the term's prefix
            JsonNode list = Json.MAPPER.readTree((registry == null
                    ? client().get("/images/search", Query.of("term", term, "limit", limit))
                    : client().post("/images/search", Query.of("term", term, "registry", registry, "limit", limit),
                    null)).body());
            out().printf("%-45s %-40s %-6s %s%n", "NAME", "DESCRIPTION", "STARS", "OFFICIAL");
            for (JsonNode n : list) {
                out().printf("%-45s %-40s %-6d %s%n", n.path("name").asText(), n.path("description").asText(),
                        n.path("star_count").asInt(), n.path("is_official").asBoolean() ? "[OK]" : "");
            }
            return 0;
        }
    }
}
