package io.pouch.daemon.container.files;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;

import java.util.Map;

/** {@code /containers/{id}/archive} (HEAD, GET, PUT), {@code /export} and {@code /changes}. */
public final class FilesRoutes implements RouteRegistrar {
    private static final String STAT_HEADER = "X-Docker-Container-Path-Stat";
    private final ContainerFiles files;

    public FilesRoutes(ContainerFiles files) {
        this.files = files;
    }

    @Override
    public void register(Router r) {
        r.add("HEAD", "/containers/{id}/archive", this::archiveStat);
        r.add("GET", "/containers/{id}/archive", ex -> {
            if (ex.method().equals("HEAD")) {
                archiveStat(ex);
            } else {
                archiveGet(ex);
            }
        });
        r.addStreaming("PUT", "/containers/{id}/archive", this::archivePut);
        r.add("GET", "/containers/{id}/export", ex -> files.export(ex.pathParam("id"),
                () -> ex.startStream(200, "application/x-tar", Map.of(), true)));
        r.add("GET", "/containers/{id}/changes", ex -> ex.respond(200, files.changes(ex.pathParam("id"))));
    }

    private static String pathParam(HttpExchange ex) {
        String path = ex.query("path");
        if (path == null || path.isEmpty()) {
            throw PouchException.invalidArgument("bad parameter: path cannot be empty");
        }
        return path;
    }

    private void archiveStat(HttpExchange ex) throws Exception {
        PathStat stat = files.stat(ex.pathParam("id"), pathParam(ex));
        ex.respondBytes(200, "application/json", new byte[0], Map.of(STAT_HEADER, stat.header()));
    }

    private void archiveGet(HttpExchange ex) throws Exception {
        files.copyOut(ex.pathParam("id"), pathParam(ex),
                stat -> ex.startStream(200, "application/x-tar", Map.of(STAT_HEADER, stat.header()), true));
    }

    private void archivePut(HttpExchange ex) {
        String path = pathParam(ex);
        files.copyIn(ex.pathParam("id"), path, ex.body(), isTrue(ex.query("noOverwriteDirNonDir")),
                isTrue(ex.query("copyUIDGID")));
        ex.respondEmpty(200);
    }

    /** Go's strconv.ParseBool as the API reads these flags: 1, t, true (any case). */
    private static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("t") || v.equalsIgnoreCase("true"));
    }
}
