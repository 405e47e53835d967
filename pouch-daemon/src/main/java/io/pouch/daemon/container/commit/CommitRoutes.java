package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.util.Map;

/** {@code POST /commit}; translation only, the work is in the {@link CommitService}. */
public final class CommitRoutes implements RouteRegistrar {
    private final CommitService committer;

    public CommitRoutes(CommitService committer) {
        this.committer = committer;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/commit", this::commit);
    }

    private void commit(HttpExchange ex) throws Exception {
        String container = ex.query("container");
        if (container == null || container.isEmpty()) {
            throw PouchException.invalidArgument("container is required: give the container to commit");
        }
        String id = committer.commit(new CommitRequest(container, ex.bodyJson(JsonNode.class), ex.queryAll("changes"),
                ex.query("comment"), ex.query("author"), ex.query("repo"), ex.query("tag")));
        ex.respond(201, Map.of("Id", id));
    }
}
