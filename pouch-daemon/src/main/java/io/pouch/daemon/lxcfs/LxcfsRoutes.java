package io.pouch.daemon.lxcfs;

import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /lxcfs/remount} (what {@code pouch remount-lxcfs} calls): one {@code {"Id", "Status"}} per running
 * container with LXCFS on, Status {@code OK} or why it failed; 400 when the daemon has LXCFS off or not mounted.
 */
public final class LxcfsRoutes implements RouteRegistrar {
    private final LxcfsRemounter remounter;

    public LxcfsRoutes(LxcfsRemounter remounter) {
        this.remounter = remounter;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/lxcfs/remount", this::remount);
    }

    private void remount(HttpExchange ex) throws Exception {
        List<Map<String, String>> body = remounter.remountAll().stream()
                .map(res -> Map.of("Id", res.id(), "Status", res.status())).toList();
        ex.respond(200, body);
    }
}
