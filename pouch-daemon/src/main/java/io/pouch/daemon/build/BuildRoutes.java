package io.pouch.daemon.build;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.registry.Credentials;
import io.pouch.api.container.HostConfig.Ulimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /build} (the classic builder) and {@code POST /build/prune}; translation only, the work is in the
 * {@link BuildService}. A parameter the builder does not implement is refused by name when it asks for something
 * (the CLI sends them with their neutral value: {@code squash=0}, {@code cachefrom=[]}...), never dropped silently.
 */
public final class BuildRoutes implements RouteRegistrar {
    /** Parameters refused unless neutral: empty, 0, false, {@code null}/{@code []}/{@code {}}, or listed here. */
    private static final Map<String, Set<String>> NOT_IMPLEMENTED = Map.ofEntries(
            Map.entry("remote", Set.of()),
            Map.entry("isolation", Set.of("default")),
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

    /** What a refused request's unread context is read up to so that its client gets the answer. */
    private static final long DISCARDED_CONTEXT_LIMIT = 64L << 20;

    private void build(HttpExchange x) throws IOException {
        BuildRequest req;
        try {
            req = request(x);
        } catch (RuntimeException e) {
            // the client is still sending its context: a connection closed under it shows as a broken pipe instead
            // of this answer, so the rest is read (up to a bound) and dropped first
            discard(x.body());
            throw e;
        }
        PreparedBuild prepared = builder.prepare(req, x.body());
        x.onClientGone(prepared::cancel);
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            builder.build(prepared, new BuildProgress(out, req.quiet()));
        }
    }

    private static BuildRequest request(HttpExchange x) {
        refuseUnimplemented(x);
        String dockerfile = x.query("dockerfile");
        return new BuildRequest(dockerfile == null || dockerfile.isEmpty() ? "Dockerfile" : dockerfile,
                x.queryAll("t").stream().filter(t -> !t.isEmpty()).toList(), jsonMap(x, "buildargs"),
                jsonMap(x, "labels"), x.query("target"), x.queryBool("nocache", false), x.queryBool("rm", true),
                x.queryBool("forcerm", false), x.queryBool("q", false), x.queryBool("pull", false),
                Credentials.fromConfigHeader(x.header("X-Registry-Config")), runSettings(x));
    }

    private static void discard(InputStream body) {
        try (body) {
            body.skipNBytes(DISCARDED_CONTEXT_LIMIT);
        } catch (IOException e) {
            // the end of the body (EOFException) or of the connection: nothing left to read either way
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

    /** The RUN containers' host settings; a value that is not what the parameter takes is a 400 naming it. */
    static BuildRequest.RunSettings runSettings(HttpExchange x) {
        String network = x.query("networkmode");
        if (network != null && network.contains("container:")) {
            throw PouchException.invalidArgument("invalid networkmode " + network
                    + ": a build cannot share another container's network");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : x.queryAll("extrahosts")) {
            for (String one : h.split(",")) {
                String e = one.trim();
                if (e.isEmpty()) {
                    continue;
                }
                int colon = e.indexOf(':');
                if (colon <= 0 || colon == e.length() - 1) {
                    throw PouchException.invalidArgument("invalid extrahosts " + e + ": host:ip is expected");
                }
                hosts.add(e);
            }
        }
        return new BuildRequest.RunSettings(network, hosts, size(x, "shmsize", 0), size(x, "memory", 0),
                size(x, "memswap", -1), size(x, "cpushares", 0), size(x, "cpuquota", -1), size(x, "cpuperiod", 0),
                x.query("cpusetcpus"), x.query("cpusetmems"), x.query("cgroupparent"), ulimits(x));
    }

    /** An integer parameter of at least {@code min} (memswap and cpuquota take -1: unlimited). */
    private static long size(HttpExchange x, String name, long min) {
        String v = x.query(name);
        if (v == null || v.isBlank()) {
            return 0;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid " + name + " " + v + ": an integer is expected");
        }
        if (n < min) {
            throw PouchException.invalidArgument("invalid " + name + " " + v + ": it cannot be below " + min);
        }
        return n;
    }

    private static List<Map<String, Object>> ulimits(HttpExchange x) {
        String v = x.query("ulimits");
        if (v == null || v.isBlank() || v.equals("null")) {
            return List.of();
        }
        List<Ulimit> parsed;
        try {
            parsed = Json.MAPPER.readValue(v, new TypeReference<List<Ulimit>>() {
            });
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid ulimits " + v
                    + ": a JSON list of {\"Name\",\"Soft\",\"Hard\"} is expected");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Ulimit u : parsed) {
            if (u == null || u.name() == null || u.name().isBlank()) {
                throw PouchException.invalidArgument("invalid ulimits " + v + ": each ulimit needs a Name");
            }
            out.add(Json.MAPPER.convertValue(u, new TypeReference<Map<String, Object>>() {
            }));
        }
        return out;
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
