package io.pouch.daemon.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the client sent to authenticate with a registry: the docker CLI's {@code X-Registry-Auth} header
 * (base64url JSON {@code {username,password,serveraddress}} or {@code {identitytoken}}) or a login body.
 */
public record Credentials(String username, String password, String identityToken, String registryToken,
                          String serverAddress) {
    public static final Credentials NONE = new Credentials(null, null, null, null, null);

    public boolean hasBasic() {
        return username != null && !username.isEmpty() && password != null;
    }

    public boolean isEmpty() {
        return !hasBasic() && identityToken == null && registryToken == null;
    }

    /** Decodes {@code X-Registry-Auth}; absent or {@code e30=} (= {@code {}}) means anonymous. */
    public static Credentials fromHeader(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        byte[] json;
        try {
            // the CLI uses base64url with padding, older clients standard base64: accept both
            String s = header.trim().replace('+', '-').replace('/', '_').replace("=", "");
            json = Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw PouchException.invalidArgument("invalid X-Registry-Auth header: not base64");
        }
        try {
            return fromJson(Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid X-Registry-Auth header: not JSON");
        }
    }

    /**
     * Decodes {@code X-Registry-Config} (what the CLI sends with a build): base64url JSON of registry -> auth
     * config, keyed by registry host or URL ({@code https://index.docker.io/v1/} for Docker Hub). Absent: none.
     */
    public static Map<String, Credentials> fromConfigHeader(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        byte[] json;
        try {
            String s = header.trim().replace('+', '-').replace('/', '_').replace("=", "");
            json = Base64.getUrlDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw PouchException.invalidArgument("invalid X-Registry-Config header: not base64");
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid X-Registry-Config header: not JSON");
        }
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw PouchException.invalidArgument("invalid X-Registry-Config header: a JSON object of registries is "
                    + "expected");
        }
        Map<String, Credentials> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), fromJson(e.getValue())));
        return out;
    }

    /**
     * The credentials of {@code configs} for the registry {@code domain}, matched as dockerd's ResolveAuthConfig
     * does: the key as is, else a key whose host (scheme and path dropped) is the domain; Docker Hub's domain also
     * matches its legacy names. None: anonymous.
     */
    public static Credentials forRegistry(Map<String, Credentials> configs, String domain) {
        if (configs.containsKey(domain)) {
            return configs.get(domain);
        }
        String want = hubAlias(domain);
        for (Map.Entry<String, Credentials> e : configs.entrySet()) {
            String host = e.getKey().replaceFirst("^https?://", "");
            int slash = host.indexOf('/');
            if (slash >= 0) {
                host = host.substring(0, slash);
            }
            if (hubAlias(host).equals(want)) {
                return e.getValue();
            }
        }
        return NONE;
    }

    private static String hubAlias(String host) {
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? "docker.io" : host;
    }

    /** The JSON of {@code X-Registry-Auth} and of {@code POST /auth}; {@code auth} is base64 "user:password". */
    public static Credentials fromJson(JsonNode n) {
        String user = text(n, "username");
        String pass = text(n, "password");
        String auth = text(n, "auth");
        if (user == null && auth != null) {
            try {
                String up = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                int colon = up.indexOf(':');
                if (colon > 0) {
                    user = up.substring(0, colon);
                    pass = up.substring(colon + 1);
                }
            } catch (IllegalArgumentException ignored) {
                // not base64: no credentials from it
            }
        }
        return new Credentials(user, pass, text(n, "identitytoken"), text(n, "registrytoken"), text(n, "serveraddress"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    @Override
    public String toString() {
        return "Credentials[" + (username == null ? "anonymous" : username) + "]";
    }
}
