package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.query.Filters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/** {@code /networks...}: translates requests to {@link NetworkManager} calls, in Docker's JSON shapes. */
public final class NetworkRoutes implements RouteRegistrar {
    private final NetworkManager manager;
    private final Function<String, String> resolveContainer;
    private final Predicate<String> isRunning;

    /**
     * @param resolveContainer container name or id prefix to full id (404 when unknown)
     * @param isRunning        whether the container (full id) runs now
     */
    public NetworkRoutes(NetworkManager manager, Function<String, String> resolveContainer,
                         Predicate<String> isRunning) {
        this.manager = manager;
        this.resolveContainer = resolveContainer;
        this.isRunning = isRunning;
    }

    @Override
    public void register(Router r) {
        r.add("GET", "/networks", this::list);
        r.add("GET", "/networks/{id}", ex -> ex.respond(200, view(manager.find(ex.pathParam("id")))));
        r.add("POST", "/networks/create", this::create);
        r.add("DELETE", "/networks/{id}", ex -> {
            manager.remove(ex.pathParam("id"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/networks/prune", ex -> {
            Filters f = Filters.parse(ex.query("filters")).validate(Set.of("label", "label!", "until"));
            List<String> removed = manager.prune(n -> f.matchesLabels("label", n.labels()));
            ex.respond(200, Map.of("NetworksDeleted", removed));
        });
        r.add("POST", "/networks/{id}/connect", ex -> {
            JsonNode b = body(ex);
            String id = resolveContainer.apply(text(b.get("Container")));
            manager.connect(ex.pathParam("id"), id, NetworkRequest.endpoint(ex.pathParam("id"), b.get("EndpointConfig")),
                    isRunning.test(id));
            ex.respondEmpty(200);
        });
        r.add("POST", "/networks/{id}/disconnect", ex -> {
            JsonNode b = body(ex);
            boolean force = b.path("Force").asBoolean(false);
            String id;
            try {
                id = resolveContainer.apply(text(b.get("Container")));
            } catch (PouchException e) {
                if (!force) {
                    throw e;
                }
                id = text(b.get("Container"));
            }
            manager.disconnect(ex.pathParam("id"), id, force);
            ex.respondEmpty(200);
        });
    }

    private void list(HttpExchange ex) {
        Filters f = Filters.parse(ex.query("filters")).validate(Set.of("name", "id", "driver", "label", "type",
                "scope", "dangling"));
        List<Object> out = new ArrayList<>();
        for (NetworkRecord n : manager.list()) {
            boolean predefined = Set.of("bridge", "host", "none").contains(n.name());
            if (f.has("name") && f.get("name").stream().noneMatch(n.name()::contains)) {
                continue;
            }
            if (f.has("id") && f.get("id").stream().noneMatch(n.id()::startsWith)) {
                continue;
            }
            if (!f.matchesExact("driver", n.driver()) || !f.matchesLabels("label", n.labels())
                    || !f.matchesExact("scope", "local")
                    || !f.matchesExact("type", predefined ? "builtin" : "custom")) {
                continue;
            }
            out.add(view(n));
        }
        ex.respond(200, out);
    }

    private void create(HttpExchange ex) {
        JsonNode b = body(ex);
        Map<String, String> labels = map(b.get("Labels"));
        Map<String, String> opts = map(b.get("Options"));
        JsonNode cfg = b.path("IPAM").path("Config");
        String subnet = "";
        String gw = "";
        String range = "";
        if (cfg.isArray()) {
            for (JsonNode c : cfg) {
                String s = text(c.get("Subnet"));
                if (s.contains(":")) {
                    throw PouchException.invalidArgument("IPv6 subnets are not supported by pouchd yet: " + s);
                }
                if (!subnet.isEmpty()) {
                    throw PouchException.invalidArgument("only one IPv4 subnet per network is supported");
                }
                subnet = s;
                gw = text(c.get("Gateway"));
                range = text(c.get("IPRange"));
            }
        }
        NetworkRecord n = manager.create(new NetworkManager.CreateRequest(text(b.get("Name")), text(b.get("Driver")),
                subnet, gw, range, b.path("Internal").asBoolean(false), labels, opts, true));
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("Id", n.id());
        resp.put("Warning", "");
        ex.respond(201, resp);
    }

    /** Docker's network JSON. */
    Map<String, Object> view(NetworkRecord n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", n.name());
        m.put("Id", n.id());
        m.put("Created", n.created());
        m.put("Scope", "local");
        m.put("Driver", n.driver());
        m.put("EnableIPv4", true);
        m.put("EnableIPv6", false);
        List<Object> cfg = new ArrayList<>();
        if (n.isBridge()) {
            Map<String, String> c = new LinkedHashMap<>();
            c.put("Subnet", n.subnet());
            if (!n.ipRange().isEmpty()) {
                c.put("IPRange", n.ipRange());
            }
            c.put("Gateway", n.gateway());
            cfg.add(c);
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", null);
        ipam.put("Config", cfg);
        m.put("IPAM", ipam);
        m.put("Internal", n.internal());
        m.put("Attachable", false);
        m.put("Ingress", false);
        m.put("ConfigFrom", Map.of("Network", ""));
        m.put("ConfigOnly", false);
        Map<String, Object> cs = new LinkedHashMap<>();
        manager.attached(n.id()).forEach((id, e) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("Name", manager.containerName(id));
            c.put("EndpointID", e.endpointId());
            c.put("MacAddress", e.mac());
            c.put("IPv4Address", e.ip() + "/" + e.prefix());
            c.put("IPv6Address", "");
            cs.put(id, c);
        });
        m.put("Containers", cs);
        m.put("Options", n.options());
        m.put("Labels", n.labels());
        return m;
    }

    private static JsonNode body(HttpExchange ex) {
        JsonNode b = ex.bodyJson(JsonNode.class);
        if (b == null || !b.isObject()) {
            throw PouchException.invalidArgument("a JSON object body is required");
        }
        return b;
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        }
        return m;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }
}
