package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Registry endpoints: pull ({@code POST /images/create?fromImage=}, reached through {@link ImageRoutes}), push,
 * {@code POST /auth} (docker login) and {@code GET /images/search}. Errors found before the first progress
 * message are plain JSON statuses; later ones are the stream's {@code errorDetail} message, as dockerd does.
 */
public final class DistributionRoutes implements RouteRegistrar {
    private static final Logger LOG = Logger.getLogger(DistributionRoutes.class.getName());

    private final RegistryClient registry;
    private final ImageManager images;
    private final ImagePuller puller;
    private final ImagePusher pusher;

    public DistributionRoutes(ImageManager images, RegistryClient registry, EventBus events) {
        this.registry = registry;
        this.images = images;
        this.puller = new ImagePuller(images, registry, events);
        this.pusher = new ImagePusher(images, registry, events);
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/images/{name*}/push", this::push);
        r.add("POST", "/auth", this::auth);
        r.add("GET", "/images/search", this::search);
        r.add("POST", "/images/prune", x -> x.respond(200, images.prune(io.pouch.daemon.query.Filters.parse(x.query("filters")))));
        r.add("GET", "/system/df", this::df);
    }

    /** {@code POST /images/create?fromImage=&tag=&platform=}. */
    void pull(HttpExchange x) throws IOException {
        Credentials creds = Credentials.fromHeader(x.header("X-Registry-Auth"));
        if (ImagePuller.allTags(x.query("fromImage"), x.query("tag"))) {
            pullAllTags(x, creds);
            return;
        }
        ImagePuller.Plan plan = puller.resolve(x.query("fromImage"), x.query("tag"), x.query("platform"), creds);
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
        ImagePusher.Plan plan = pusher.resolve(x.pathParam("name"), x.query("tag"), creds);
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

    /**
     * {@code GET /system/df}: images and layer sizes from the image manager. Containers and volumes are
     * listed empty here: their managers do not offer a size query yet.
     */
    private void df(HttpExchange x) {
        Map<String, Object> out = new LinkedHashMap<>(images.diskUsage(x.apiVersion()));
        out.put("Containers", List.of());
        out.put("Volumes", List.of());
        out.put("BuildCache", List.of());
        x.respond(200, out);
    }

    /** {@code POST /auth}: checks the credentials against the registry; nothing is stored by the daemon. */
    private void auth(HttpExchange x) throws IOException {
        JsonNode body = Json.MAPPER.readTree(x.body());
        if (body == null || !body.isObject()) {
            throw PouchException.invalidArgument("the login request needs a JSON body with username and password");
        }
        Credentials creds = Credentials.fromJson(body);
        String server = creds.serverAddress() == null ? registry.config().defaultRegistry() : creds.serverAddress();
        String domain = server.replaceFirst("^https?://", "").replaceAll("/.*$", "");
        if (domain.equals("index.docker.io") || domain.isEmpty()) {
            domain = "docker.io";
        }
        registry.repository(domain, "", creds, false).login();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("Status", "Login Succeeded");
        answer.put("IdentityToken", "");
        x.respond(200, answer);
    }

    /**
     * {@code GET /images/search?term=&limit=}. A registry of its own has no search API, so the term's registry
     * catalog is listed and filtered by the rest of the term; without a registry in the term the default one is used.
     */
    private void search(HttpExchange x) {
        String term = x.query("term");
        if (term == null || term.isBlank()) {
            throw PouchException.invalidArgument("a search term is required");
        }
        int limit = x.queryInt("limit", 25);
        if (limit < 1 || limit > 100) {
            throw PouchException.invalidArgument("limit " + limit + " is outside the range of [1, 100]");
        }
        String domain = registry.config().defaultRegistry();
        String query = term;
        int slash = term.indexOf('/');
        if (slash > 0 && (term.substring(0, slash).contains(".") || term.substring(0, slash).contains(":")
                || term.startsWith("localhost/"))) {
            domain = term.substring(0, slash);
            query = term.substring(slash + 1);
        }
        Credentials creds = Credentials.fromHeader(x.header("X-Registry-Auth"));
        Repository repo = registry.repository(domain, "", creds, false);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : repo.catalog(1000)) {
            if (out.size() >= limit) {
                break;
            }
            if (name.contains(query)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("star_count", 0);
                m.put("is_official", false);
                m.put("name", domain.equals("docker.io") ? name : domain + "/" + name);
                m.put("is_automated", false);
                m.put("description", "");
                out.add(m);
            }
        }
        x.respond(200, out);
    }
}
