package io.pouch.daemon.container.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.util.Iterator;
import java.util.Set;

/** Docker's (and Pouch's) {@code /containers/{id}/checkpoints} routes. */
public final class CheckpointRoutes implements RouteRegistrar {
    /** CheckpointCreateOptions' fields. */
    private static final Set<String> CREATE_FIELDS = Set.of("CheckpointID", "CheckpointDir", "Exit");

    private final Checkpoints checkpoints;

    public CheckpointRoutes(Checkpoints checkpoints) {
        this.checkpoints = checkpoints;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/containers/{id}/checkpoints", this::create);
        r.add("GET", "/containers/{id}/checkpoints", x -> x.respond(200,
                checkpoints.list(x.pathParam("id"), x.query("dir"))));
        r.add("DELETE", "/containers/{id}/checkpoints/{checkpoint}", x -> {
            checkpoints.delete(x.pathParam("id"), x.pathParam("checkpoint"), x.query("dir"));
            x.respondEmpty(204);
        });
    }

    private void create(HttpExchange x) {
        JsonNode body = x.bodyJson(JsonNode.class);
        if (body == null || !body.isObject()) {
            throw PouchException.invalidArgument("checkpoint create needs a JSON body with CheckpointID");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!CREATE_FIELDS.contains(f)) {
                throw PouchException.invalidArgument("unknown checkpoint create option " + f);
            }
        }
        checkpoints.create(x.pathParam("id"), body.path("CheckpointID").asText(""),
                body.path("CheckpointDir").asText(""), body.path("Exit").asBoolean(false));
        x.respondEmpty(201);
    }
}
