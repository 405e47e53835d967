package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.registry.Credentials;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Registry endpoints: pull ({@code POST /images/create?fromImage=}, reached through {@link ImageRoutes}), push,
 * {@code POST /auth} (docker login) and {@code GET /images/search} (and Pouch's {@code POST}), with image prune and {@code GET /system/df}.
 * Errors found before the first progress message are plain JSON statuses; later ones are the stream's
 * {@code errorDetail} message, as dockerd does.
 */
public final class DistributionRoutes implements RouteRegistrar {
    private static final Logger LOG = Logger.getLogger(DistributionRoutes.class.getName());

    private final ImageService images;
    private final PullService puller;
    private final PushService pusher;
    private final RegistryService registry;

    public DistributionRoutes(ImageService images, PullService puller, PushService pusher, RegistryService registry) {
        this.images = images;
        this.puller = puller;
        this.pusher = pusher;
        this.registry = registry;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/images/{name*}/push", this::push);
        r.add("POST", "/auth", this::auth);
        r.add("GET", "/images/search", this::search);
        r.add("POST", "/images/search", this::pouchSearch);
        r.add("POST", "/images/prune", x -> x.respond(200, images.prune(Filters.parse(x.query("filters")))));
        r.add("GET", "/system/df", x -> x.respond(200, images.diskUsage(ImageRoutes.fields(x.apiVersion()))));
    }

    /** {@code POST /images/create?fromImage=&tag=&platform=}. */
    void pull(HttpExchange x) throws IOException {
        Credentials creds = Credentials.fromHeader(x.header("X-Registry-Auth"));
        if (ImagePuller.allTags(x.query("fromImage"), x.query("tag"))) {
            pullAllTags(x, creds);
            return;
        }
        PullService.Plan plan = puller.resolve(x.query("fromImage"), x.query("tag"), x.query("platform"), creds);
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            ProgressWriter w = new ProgressWriter(out);
            try {
                puller.pull(plan, w);
            } catch (PouchException | IOException e) {
                LOG.log(Level.FINE, "pull failed", e);
                w.error(e.getMessage());
            }
        }
    }

    /**
     * Every tag of the repository, one after another in one stream (as dockerd: each tag's progress and digest,
     * and a failing tag ends the stream with its error). An unknown repository is a plain 404 before the stream.
     */
    private void pullAllTags(HttpExchange x, Credentials creds) throws IOException {
        String fromImage = x.query("fromImage");
        List<String> tags = puller.tags(fromImage, creds);
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            ProgressWriter w = new ProgressWriter(out);
            try {
                for (String tag : tags) {
                    puller.pull(puller.resolve(fromImage, tag, x.query("platform"), creds), w);
                }
            } catch (PouchException | IOException e) {
                LOG.log(Level.FINE, "pull of all tags failed", e);
                w.error(e.getMessage());
            }
        }
    }

    private void push(HttpExchange x) throws IOException {
        Credentials creds = Credentials.fromHeader(x.header("X-Registry-Auth"));
        PushService.Plan plan = pusher.resolve(x.pathParam("name"), x.query("tag"), creds);
        try (OutputStream out = x.startStream(200, "application/json", Map.of(), true)) {
            ProgressWriter w = new ProgressWriter(out);
            try {
                pusher.push(plan, w);
            } catch (PouchException | IOException e) {
                LOG.log(Level.FINE, "push failed", e);
                w.error(e.getMessage());
            }
        }
    }

    /** {@code POST /auth}: checks the credentials against the registry; nothing is stored by the daemon. */
    private void auth(HttpExchange x) throws IOException {
        JsonNode body = Json.MAPPER.readTree(x.body());
        if (body == null || !body.isObject()) {
            throw PouchException.invalidArgument("the login request needs a JSON body with username and password");
        }
        registry.login(Credentials.fromJson(body));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("Status", "Login Succeeded");
        answer.put("IdentityToken", "");
        x.respond(200, answer);
    }

    /** Pouch's {@code POST /images/search?term=&registry=}: the catalog of the registry named, else the term's. */
    private void pouchSearch(HttpExchange x) {
        x.respond(200, registry.search(x.query("registry"), x.query("term"), x.queryInt("limit", 25),
                Credentials.fromHeader(x.header("X-Registry-Auth"))));
    }

    /** {@code GET /images/search?term=&limit=}. */
    private void search(HttpExchange x) {
        x.respond(200, registry.search(x.query("term"), x.queryInt("limit", 25),
                Credentials.fromHeader(x.header("X-Registry-Auth"))));
    }
}
