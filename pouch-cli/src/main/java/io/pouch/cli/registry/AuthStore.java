package io.pouch.cli.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registry credentials in docker's config.json format ({@code {"auths":{"host":{"auth":"base64(user:pw)"}}}}):
 * written to {@code ~/.pouch/config.json} (or {@code $POUCH_CONFIG/config.json}), read from there and then from
 * {@code ~/.docker/config.json} (or {@code $DOCKER_CONFIG}), so a docker login works for pouch too.
 */
public final class AuthStore {
    /** docker.io's key in config.json, as the docker CLI writes it. */
    public static final String DOCKER_HUB = "https://index.docker.io/v1/";

    private final Path own;
    private final Path docker;

    public AuthStore(Path own, Path docker) {
        this.own = own;
        this.docker = docker;
    }

    public static AuthStore fromEnvironment() {
        String home = System.getProperty("user.home");
        String pc = System.getenv("POUCH_CONFIG");
        String dc = System.getenv("DOCKER_CONFIG");
        return new AuthStore(Path.of(pc != null ? pc : home + "/.pouch").resolve("config.json"),
                Path.of(dc != null ? dc : home + "/.docker").resolve("config.json"));
    }

    /** The config.json key of a registry: docker.io's URL, else host[:port]. */
    public static String key(String server) {
        String s = server == null || server.isBlank() ? "docker.io" : server.replaceFirst("^https?://", "").replaceAll("/.*$", "");
        return s.equals("docker.io") || s.equals("index.docker.io") || s.equals("registry-1.docker.io") ? DOCKER_HUB : s;
    }

    public record Entry(String username, String password) {
    }

    public Optional<Entry> get(String server) {
        String k = key(server);
        for (Path p : new Path[]{own, docker}) {
            JsonNode a = read(p).path("auths").path(k);
            if (a.path("auth").isTextual()) {
                String up = new String(Base64.getDecoder().decode(a.path("auth").asText()), StandardCharsets.UTF_8);
                int colon = up.indexOf(':');
                if (colon > 0) {
                    return Optional.of(new Entry(up.substring(0, colon), up.substring(colon + 1)));
                }
            }
        }
        return Optional.empty();
    }

    public void put(String server, String user, String password) throws IOException {
        ObjectNode root = read(own);
        root.with("auths").putObject(key(server)).put("auth",
                Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        write(root);
    }

    /** True when there was an entry in pouch's own file to remove. */
    public boolean remove(String server) throws IOException {
        ObjectNode root = read(own);
        if (root.path("auths").isObject() && ((ObjectNode) root.get("auths")).remove(key(server)) != null) {
            write(root);
            return true;
        }
        return false;
    }

    /** The {@code X-Registry-Auth} value for a registry: base64url JSON, {@code e30=} ({@code {}}) when none. */
    public String header(String server) {
        Map<String, String> m = new LinkedHashMap<>();
        get(server).ifPresent(e -> {
            m.put("username", e.username());
            m.put("password", e.password());
            m.put("serveraddress", key(server));
        });
        try {
            return Base64.getUrlEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(m));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode read(Path p) {
        try {
            if (Files.isRegularFile(p)) {
                JsonNode n = Json.MAPPER.readTree(p.toFile());
                if (n instanceof ObjectNode o) {
                    return o;
                }
            }
        } catch (IOException ignored) {
            // an unreadable file is treated as empty; writing replaces it
        }
        return Json.MAPPER.createObjectNode();
    }

    /** Atomic and private (0600): the file holds passwords. */
    private void write(ObjectNode root) throws IOException {
        Files.createDirectories(own.getParent());
        Path tmp = Files.createTempFile(own.getParent(), ".config", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        Files.move(tmp, own, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
