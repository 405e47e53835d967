package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.ContainerUpgrade;
import io.pouch.api.container.ContainerWaitResponse;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.JsonBody;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.io.AttachStreamer;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.rich.RichFields;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.logs.LogsStreamer;
import io.pouch.daemon.network.NetworkBodies;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The {@code /containers/...} routes: translate HTTP to {@link ContainerService} calls, nothing more. */
public final class ContainerRoutes implements RouteRegistrar {
    private final ContainerService manager;
    private final CheckpointStart checkpoints;

    public ContainerRoutes(ContainerService manager) {
        this(manager, null);
    }

    /** @param checkpoints serves a start from a checkpoint; null refuses it */
    public ContainerRoutes(ContainerService manager, CheckpointStart checkpoints) {
        this.manager = manager;
        this.checkpoints = checkpoints;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/containers/create", this::create);
        r.add("GET", "/containers/json", ex -> ex.respond(200, manager.list(ex.queryBool("all", false),
                ex.queryInt("limit", -1), ex.queryBool("size", false), Filters.parse(ex.query("filters")))));
        r.addInline("GET", "/containers/{id}/json", ex -> {
            ContainerInspect cached = manager.inspectCached(ex.pathParam("id"), ex.queryBool("size", false));
            if (cached != null) {
                ex.respond(200, cached);
            }
            return cached != null;
        }, ex -> ex.respond(200, manager.inspect(ex.pathParam("id"), ex.queryBool("size", false))));
        r.add("POST", "/containers/{id}/start", ex -> {
            String checkpoint = ex.query("checkpoint");
            if (checkpoint != null && !checkpoint.isEmpty()) {
                if (checkpoints == null) {
                    throw PouchException.invalidArgument("starting from a checkpoint is not supported here");
                }
                checkpoints.startFrom(ex.pathParam("id"), checkpoint, ex.query("checkpoint-dir"));
            }
            manager.start(ex.pathParam("id"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/stop", ex -> {
            manager.stop(ex.pathParam("id"), timeout(ex));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/restart", ex -> {
            manager.restart(ex.pathParam("id"), timeout(ex));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/kill", ex -> {
            manager.kill(ex.pathParam("id"), ex.query("signal"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/pause", ex -> {
            manager.pause(ex.pathParam("id"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/unpause", ex -> {
            manager.unpause(ex.pathParam("id"));
            ex.respondEmpty(204);
        });
        r.add("DELETE", "/containers/{id}", ex -> {
            manager.remove(ex.pathParam("id"), ex.queryBool("force", false), ex.queryBool("v", false));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/prune", ex -> ex.respond(200, manager.prune(Filters.parse(ex.query("filters")))));
        r.add("POST", "/containers/{id}/rename", ex -> {
            manager.rename(ex.pathParam("id"), ex.query("name"));
            ex.respondEmpty(204);
        });
        r.add("POST", "/containers/{id}/resize", ex -> {
            manager.resize(ex.pathParam("id"), ex.queryInt("h", 0), ex.queryInt("w", 0));
            ex.respondEmpty(200);
        });
        r.add("POST", "/containers/{id}/wait", this::waitRoute);
        // Pouch's upgrade
        r.add("POST", "/containers/{id}/upgrade", ex -> {
            manager.upgrade(ex.pathParam("id"), ex.bodyJson(ContainerUpgrade.class));
            ex.respondEmpty(200);
        });
        // docker's resources, Pouch's Env and Label
        r.add("POST", "/containers/{id}/update", ex -> {
            JsonNode body = ex.bodyJson(JsonNode.class);
            UpdateFields.refuse(body);
            ContainerUpdate u = body == null || body.isNull() ? null : Json.MAPPER.treeToValue(body, ContainerUpdate.class);
            ex.respond(200, new ContainerUpdate.Response(manager.update(ex.pathParam("id"), u)));
        });
        r.add("GET", "/containers/{id}/logs", ex -> {
            String id = manager.resolveId(ex.pathParam("id"));
            manager.requireReadableLogs(id);
            LogsStreamer.stream(ex, manager.logFile(id), manager.isTty(id), LogQuery.from(ex),
                    () -> manager.mayLogMore(id)); // a follow goes on across policy restarts
        });
        r.add("POST", "/containers/{id}/attach", ex -> {
            String id = manager.resolveId(ex.pathParam("id"));
            ContainerIO io = manager.ioForAttach(id);
            manager.attached(id); // docker's attach event
            AttachStreamer.attach(ex, io, ex.queryBool("stdin", false), ex.queryBool("stdout", false),
                    ex.queryBool("stderr", false), ex.queryBool("stream", false), ex.query("detachKeys"),
                    () -> manager.closeStdin(id), // the shim's writer too, or the process never reads EOF
                    () -> manager.exitRecorded(id, io));
        });
    }

    private void create(HttpExchange ex) throws Exception {
        JsonNode body = ex.bodyJson(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw PouchException.invalidArgument("config cannot be empty in order to create a container");
        }
        ContainerConfig cfg = JsonBody.convert(body, null, ContainerConfig.class);
        String specificId = ex.query("specificId"); // Pouch's query form of Config.SpecificID
        if (specificId != null && !specificId.isEmpty()) {
            cfg = cfg.toBuilder().specificId(specificId).build();
        }
        JsonNode h = body.get("HostConfig");
        HostConfig hc = h == null || h.isNull() ? null : JsonBody.convert(h, "HostConfig", HostConfig.class);
        NetworkBodies.checkNetworkingConfig(body);
        UnsupportedFields.refuse(body);
        cfg = RichFields.fold(body, cfg);
        ex.respond(201, manager.create(ex.query("name"), cfg, hc, NetworkRequest.fromCreateBody(body)));
    }

    private static Integer timeout(HttpExchange ex) {
        String t = ex.query("t");
        if (t == null || t.isEmpty()) {
            t = ex.query("timeout");
        }
        if (t == null || t.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid value for t: " + t);
        }
    }

    /**
     * Headers go out at once (docker run waits for them before it starts the container); the body follows at the
     * exit. A client that goes away (docker run -d cancels the wait) just ends the handler.
     */
    private void waitRoute(HttpExchange ex) throws Exception {
        CompletableFuture<Integer> f = manager.waitFor(ex.pathParam("id"), ex.query("condition"));
        OutputStream out = ex.startStream(200, "application/json", Map.of(), true);
        try {
            Integer code = null;
            while (code == null) {
                if (ex.clientGone()) {
                    return;
                }
                try {
                    code = f.get(500, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // poll clientGone again
                }
            }
            out.write(Json.MAPPER.writeValueAsBytes(new ContainerWaitResponse(null, code)));
            out.write('\n');
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // client gone
            }
        }
    }
}
