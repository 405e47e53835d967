package io.pouch.daemon.image;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.query.Filters;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The Engine API's image endpoints; translation only, the work is in the {@link ImageService}. */
public final class ImageRoutes implements RouteRegistrar {
    private final ImageService images;
    private final DistributionRoutes distribution;

    /** {@code fromImage} on {@code /images/create} is a registry pull, served by {@code distribution}. */
    public ImageRoutes(ImageService images, DistributionRoutes distribution) {
        this.images = images;
        this.distribution = distribution;
    }

    @Override
    public void register(Router r) {
        r.addStreaming("POST", "/images/load", this::load);
        r.addStreaming("POST", "/images/create", this::create);
        r.add("GET", "/images/json", this::list);
        r.add("GET", "/images/get", x -> save(x, x.queryAll("names")));
        // Pouch's save route: the same tar, the image given as ?name=
        r.add("GET", "/images/save", x -> save(x, named(x.queryAll("name"))));
        r.add("GET", "/images/{name*}/get", x -> save(x, List.of(x.pathParam("name"))));
        r.add("GET", "/images/{name*}/json", x -> x.respond(200, images.inspect(x.pathParam("name"),
                fields(x.apiVersion()))));
        r.add("GET", "/images/{name*}/history", x -> x.respond(200, images.history(x.pathParam("name"))));
        r.add("POST", "/images/{name*}/tag", this::tag);
        r.add("DELETE", "/images/{name*}", x -> x.respond(200, images.delete(x.pathParam("name"),
                x.queryBool("force", false), !x.queryBool("noprune", false))));
    }

    /** The image fields the request's API version has. */
    static ImageFields fields(ApiVersion version) {
        if (!version.atLeast(1, 44)) {
            return ImageFields.BEFORE_1_44;
        }
        return version.atLeast(1, 45) ? ImageFields.CURRENT : ImageFields.BEFORE_1_45;
    }

    private static List<String> named(List<String> names) {
        if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
            throw PouchException.invalidArgument("an image to save is required: GET /images/save?name=IMAGE");
        }
        return names;
    }

    private void list(HttpExchange x) {
        x.respond(200, images.list(Filters.parse(x.query("filters")), fields(x.apiVersion()),
                x.queryBool("all", false)));
    }

    private void tag(HttpExchange x) {
        images.tag(x.pathParam("name"), x.query("repo"), x.query("tag"));
        x.respondEmpty(201);
    }

    /** Loads fully before answering, so a refused archive is a plain 400 and not an error inside a 200 stream. */
    private void load(HttpExchange x) throws IOException {
        List<String> lines = images.load(x.body());
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            for (String line : lines) {
                writeMessage(out, Map.of("stream", line + "\n"));
            }
        }
    }

    private void create(HttpExchange x) throws IOException {
        String fromImage = x.query("fromImage");
        String fromSrc = x.query("fromSrc");
        if (fromImage != null && !fromImage.isEmpty()) {
            distribution.pull(x);
            return;
        }
        if (fromSrc == null || fromSrc.isEmpty()) {
            throw PouchException.invalidArgument("either fromImage or fromSrc is required");
        }
        if (!fromSrc.equals("-")) {
            throw PouchException.invalidArgument("importing from a URL is not supported yet: use fromSrc=- with the tar as the body");
        }
        List<String> changes = new ArrayList<>(x.queryAll("changes"));
        String id = images.importImage(x.body(), x.query("repo"), x.query("tag"), changes, x.query("message"));
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            writeMessage(out, Map.of("status", id));
        }
    }

    private void save(HttpExchange x, List<String> names) throws IOException {
        List<SaveItem> plan = images.planSave(names);
        try (OutputStream out = x.startStream(200, "application/x-tar", Map.of(), true)) {
            images.save(plan, out);
        }
    }

    /** One JSON message of a progress stream, newline-terminated as dockerd's jsonmessage encoder writes them. */
    private static void writeMessage(OutputStream out, Object message) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(message));
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
