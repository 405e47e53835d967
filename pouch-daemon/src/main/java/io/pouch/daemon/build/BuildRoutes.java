package io.pouch.daemon.build;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /build} (the classic builder) and {@code POST /build/prune}; translation only, the work is in the
 * {@link BuildService}. A parameter the builder does not implement is refused by name when it asks for something
 * (the CLI sends most of them with their neutral value: {@code memory=0}, {@code networkmode=default}...), never
 * dropped silently.
 */
public final class BuildRoutes implements RouteRegistrar {
    /** Parameters refused unless neutral: empty, 0, false, {@code null}/{@code []}/{@code {}}, or listed here. */
    private static final Map<String, Set<String>> NOT_IMPLEMENTED = Map.ofEntries(
            Map.entry("remote", Set.of()),
            Map.entry("pull", Set.of()),
            Map.entry("networkmode", Set.of("default")),
            Map.entry("extrahosts", Set.of()),
            Map.entry("shmsize", Set.of()),
            Map.entry("memory", Set.of()),
            Map.entry("memswap", Set.of()),
            Map.entry("cpushares", Set.of()),
            Map.entry("cpuquota", Set.of()),
            Map.entry("cpuperiod", Set.of()),
            Map.entry("cpusetcpus", Set.of()),
            Map.entry("cpusetmems", Set.of()),
            Map.entry("cgroupparent", Set.of()),
            Map.entry("isolation", Set.of("default")),
            Map.entry("ulimits", Set.of()),
            Map.entry("cachefrom", Set.of()),
            Map.entry("squash", Set.of()),
            Map.entry("securityopt", Set.of()),
            Map.entry("outputs", Set.of()),
            Map.entry("platform", Set.of("linux/amd64", "linux")),
            Map.entry("version", Set.of("1")));

    private final BuildService builder;

    public BuildRoutes(BuildService builder) {
        this.builder = builder;
    }

    @Override
    public void register(Router r) {
        r.addStreaming("POST", "/build", this::build);
        r.add("POST", "/build/prune", x -> x.respond(200, builder.prune()));
    }

    private void build(HttpExchange x) throws IOException {
        refuseUnimplemented(x);
        String dockerfile = x.query("dockerfile");
        BuildRequest req = new BuildRequest(dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile,
                x.queryAll("t").stream().filter(t -> !t.isEmpty()).toList(), jsonMap(x, "buildargs"),
                jsonMap(x, "labels"), x.query("target"), x.queryBool("nocache", false), x.queryBool("rm", true),
                x.queryBool("forcerm", false), x.queryBool("q", false));
        PreparedBuild prepared = builder.prepare(req, x.body());
        x.onClientGone(prepared::cancel);
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            builder.build(prepared, new BuildProgress(out, req.quiet()));
        }
    }

    static void refuseUnimplemented(HttpExchange x) {
        for (Map.Entry<String, Set<String>> p : NOT_IMPLEMENTED.entrySet()) {
            for (String v : x.queryAll(p.getKey())) {
                String s = v.trim();
                if (s.isEmpty() || s.equals("0") || s.equalsIgnoreCase("false") || s.equals("null") || s.equals("[]")
                        || s.equals("{}") || p.getValue().contains(s)) {
                    continue;
                }
                throw PouchException.invalidArgument("build parameter " + p.getKey() + "=" + v
                        + " is not supported by pouchd's builder");
            }
        }
    }

    private static Map<String, String> jsonMap(HttpExchange x, String name) {
        String v = x.query(name);
        if (v == null || v.isBlank() || v.equals("null")) {
            return Map.of();
        }
        try {
            return Json.MAPPER.readValue(v, new TypeReference<Map<String, String>>() {
            });
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid " + name + ": a JSON object of strings is expected, got "
                    + v);
        }
    }
}
