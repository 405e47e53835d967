package io.pouch.daemon.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.api.network.NetworkCreateResponse;
import io.pouch.api.network.NetworkPruneResponse;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.query.Filters;

import java.util.function.Function;
import java.util.function.Predicate;

/** {@code /networks...}: translates requests to {@link NetworkOperations} calls and their answers to JSON. */
public final class NetworkRoutes implements RouteRegistrar {
    private final NetworkOperations networks;
    private final Function<String, String> resolveContainer;
    private final Predicate<String> isRunning;

    /**
     * @param resolveContainer container name or id prefix to full id (404 when unknown)
     * @param isRunning        whether the container (full id) runs now
     */
    public NetworkRoutes(NetworkOperations networks, Function<String, String> resolveContainer,
                         Predicate<String> isRunning) {
        this.networks = networks;
        this.resolveContainer = resolveContainer;
        this.isRunning = isRunning;
    }

    @Override
    public void register(Router r) {
        r.add("GET", "/networks", ex -> ex.respond(200, networks.list(Filters.parse(ex.query("filters")))));
        r.add("GET", "/networks/{id}", ex -> ex.respond(200, networks.inspect(ex.pathParam("id"))));
        r.add("POST", "/networks/create", ex -> {
            JsonNode b = body(ex);
            NetworkBodies.checkCreate(b);
            String id = networks.create(NetworkCreateRequest.fromBody(b));
            ex.respond(201, new NetworkCreateResponse(id, ""));
        });
        r.add("DELETE", "/networks/{id}", ex -> {
            networks.remove(ex.pathParam("id"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/networks/prune", ex -> ex.respond(200,
                new NetworkPruneResponse(networks.prune(Filters.parse(ex.query("filters"))))));
        r.add("POST", "/networks/{id}/connect", this::connect);
        r.add("POST", "/networks/{id}/disconnect", this::disconnect);
    }

    private void connect(HttpExchange ex) {
        JsonNode b = body(ex);
        NetworkBodies.checkConnect(b);
        if (!NetworkRequest.endpointLinks(b.get("EndpointConfig")).isEmpty()) {
            throw PouchException.invalidArgument("Links in EndpointConfig are not supported by network connect of"
                    + " pouchd: legacy links are for the default bridge (docker run --link)");
        }
        String id = resolveContainer.apply(text(b.get("Container")));
        networks.connect(ex.pathParam("id"), id, NetworkRequest.endpoint(ex.pathParam("id"), b.get("EndpointConfig")),
                isRunning.test(id));
        ex.respondEmpty(200);
    }

    /** With {@code Force}, a container that no longer exists is disconnected by the reference given. */
    private void disconnect(HttpExchange ex) {
        JsonNode b = body(ex);
        NetworkBodies.checkDisconnect(b);
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
        networks.disconnect(ex.pathParam("id"), id, force);
        ex.respondEmpty(200);
    }

    private static JsonNode body(HttpExchange ex) {
        JsonNode b = ex.bodyJson(JsonNode.class);
        if (b == null || !b.isObject()) {
            throw PouchException.invalidArgument("a JSON object body is required");
        }
        return b;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }
}
