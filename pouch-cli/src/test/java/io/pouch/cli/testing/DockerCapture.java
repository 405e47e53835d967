package io.pouch.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pouch.api.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real docker CLI against a loopback stand-in for the daemon that answers the ping and records the body
 * of the create request, so tests can compare what pouch sends with what docker sends for the same flags.
 */
public final class DockerCapture implements AutoCloseable {
    public static final Path DOCKER = Path.of("/usr/local/bin/docker");

    private final HttpServer server;
    private final Path config;
    private volatile String lastBody;

    public DockerCapture() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        config = Files.createTempDirectory("docker-config");
    }

    private void handle(HttpExchange x) throws IOException {
        x.getResponseHeaders().add("Api-Version", "1.50");
        x.getResponseHeaders().add("Ostype", "linux");
        x.getResponseHeaders().add("Content-Type", "application/json");
        String path = x.getRequestURI().getPath();
        byte[] in = x.getRequestBody().readAllBytes();
        if (path.endsWith("/_ping")) {
            byte[] ok = "OK".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, x.getRequestMethod().equals("HEAD") ? -1 : ok.length);
            if (!x.getRequestMethod().equals("HEAD")) {
                x.getResponseBody().write(ok);
            }
        } else if (x.getRequestMethod().equals("POST") && (path.endsWith("/containers/create")
                || path.endsWith("/networks/create"))) {
            lastBody = new String(in, StandardCharsets.UTF_8);
            byte[] answer = ("{\"Id\":\"" + "0".repeat(64) + "\",\"Warnings\":[]}").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(201, answer.length);
            x.getResponseBody().write(answer);
        } else {
            byte[] answer = "{\"message\":\"not in the capture\"}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(404, answer.length);
            x.getResponseBody().write(answer);
        }
        x.close();
    }

    /** Runs {@code docker <args>} against the capture and returns the create body it sent. */
    public JsonNode send(Map<String, String> env, List<String> args) throws IOException, InterruptedException {
        lastBody = null;
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H",
                "tcp://127.0.0.1:" + server.getAddress().getPort()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("DOCKER_CONFIG", config.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("docker " + args + " did not finish");
        }
        if (p.exitValue() != 0 || lastBody == null) {
            throw new IllegalStateException("docker " + args + " exited " + p.exitValue() + ": " + output);
        }
        return Json.MAPPER.readTree(lastBody);
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
        try (var files = Files.list(config)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(config);
    }

    /**
     * The body without what carries no value (null, "", 0, false, empty arrays and objects, MemorySwappiness -1
     * which is docker's "not set"), keys and Env sorted, so that a sparse pouch body and docker's full one compare field by field.
     */
    public static JsonNode meaningful(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = Json.MAPPER.createObjectNode();
            TreeMap<String, JsonNode> sorted = new TreeMap<>(); // field order is no part of the API
            n.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
            for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
                if (e.getKey().equals("MemorySwappiness") && e.getValue().asLong() == -1) {
                    continue;
                }
                JsonNode v = meaningful(e.getValue());
                if (e.getKey().equals("Env") && v.isArray()) {
                    // docker 28 passes -e values through a map: their order varies from run to run
                    List<String> vars = new ArrayList<>();
                    v.forEach(x -> vars.add(x.asText()));
                    vars.sort(null);
                    ArrayNode sortedVars = Json.MAPPER.createArrayNode();
                    vars.forEach(sortedVars::add);
                    v = sortedVars;
                }
                if (!isEmpty(v)) {
                    out.set(e.getKey(), v);
                }
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.MAPPER.createArrayNode();
            n.forEach(v -> out.add(meaningful(v)));
            // an array of nothing but zero values (docker's ConsoleSize [0,0] when there is no terminal)
            for (JsonNode v : out) {
                if (!isEmpty(v)) {
                    return out;
                }
            }
            return Json.MAPPER.createArrayNode();
        }
        return n;
    }

    private static boolean isEmpty(JsonNode v) {
        return v.isNull() || (v.isTextual() && v.asText().isEmpty()) || (v.isNumber() && v.asDouble() == 0)
                || (v.isBoolean() && !v.asBoolean()) || (v.isContainerNode() && v.isEmpty());
    }
}
