package io.pouch.daemon.volume;

import io.pouch.api.PouchException;
import io.pouch.api.volume.VolumeCreateRequest;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.query.Filters;

/** The Engine API's volume endpoints; translation only, the work is in {@link VolumeManager}. */
public final class VolumeRoutes implements RouteRegistrar {
    private final VolumeManager volumes;

    public VolumeRoutes(VolumeManager volumes) {
        this.volumes = volumes;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/volumes/create", this::create);
        r.add("GET", "/volumes", x -> x.respond(200, volumes.list(Filters.parse(x.query("filters")))));
        r.add("POST", "/volumes/prune", x -> x.respond(200, volumes.prune(Filters.parse(x.query("filters")),
                x.apiVersion().atLeast(1, 42))));
        r.add("GET", "/volumes/{name}", x -> x.respond(200, volumes.inspect(x.pathParam("name"))));
        r.add("DELETE", "/volumes/{name}", x -> {
            volumes.remove(x.pathParam("name"), x.queryBool("force", false));
            x.respondEmpty(204);
        });
    }

    private void create(HttpExchange x) {
        VolumeCreateRequest req = x.bodyJson(VolumeCreateRequest.class);
        if (req == null) {
            throw PouchException.invalidArgument("a JSON body is required: {\"Name\": ..., \"Driver\": ...}");
        }
        x.respond(201, volumes.create(req.name(), req.driver(), req.driverOpts(), req.labels()));
    }
}
