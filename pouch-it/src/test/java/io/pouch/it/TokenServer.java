package io.pouch.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A registry token server for tests (loopback only): {@code GET /token?service=&scope=} answers a JWT (RS256,
 * the signing certificate in {@code x5c}) granting the scope's actions when the Basic credentials are right,
 * no actions when there are none, and 401 for wrong ones. This is the Docker token authentication flow.
 */
final class TokenServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenServer() {
    }

    static HttpServer start(int port, Path keyPem, Path certPem, String user, String password) throws Exception {
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pem(keyPem, "PRIVATE KEY")));
        String certB64 = Base64.getEncoder().encodeToString(pem(certPem, "CERTIFICATE"));
        String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        s.createContext("/token", x -> {
            try {
                String auth = x.getRequestHeaders().getFirst("Authorization");
                boolean granted = expected.equals(auth);
                if (auth != null && !granted) {
                    x.sendResponseHeaders(401, -1);
                    return;
                }
                Map<String, String> q = query(x.getRequestURI().getRawQuery());
                ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
                header.putArray("x5c").add(certB64);
                long now = System.currentTimeMillis() / 1000;
                ObjectNode claims = JSON.createObjectNode().put("iss", "pouch-test-issuer").put("sub", granted ? user : "")
                        .put("aud", q.getOrDefault("service", "")).put("exp", now + 300).put("nbf", now - 10)
                        .put("iat", now).put("jti", UUID.randomUUID().toString());
                ArrayNode access = claims.putArray("access");
                String scope = q.get("scope");
                if (granted && scope != null && scope.startsWith("repository:")) {
                    String[] parts = scope.split(":");
                    ObjectNode a = access.addObject().put("type", "repository").put("name", parts[1]);
                    ArrayNode actions = a.putArray("actions");
                    for (String act : parts[2].split(",")) {
                        actions.add(act);
                    }
                }
                String input = b64(JSON.writeValueAsBytes(header)) + "." + b64(JSON.writeValueAsBytes(claims));
                Signature sig = Signature.getInstance("SHA256withRSA");
                sig.initSign(key);
                sig.update(input.getBytes(StandardCharsets.US_ASCII));
                String jwt = input + "." + b64(sig.sign());
                byte[] body = JSON.writeValueAsBytes(Map.of("token", jwt, "expires_in", 300));
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
            } catch (Exception e) {
                x.sendResponseHeaders(500, -1);
            } finally {
                x.close();
            }
        });
        s.start();
        return s;
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] pem(Path file, String type) throws IOException {
        String text = Files.readString(file);
        int start = text.indexOf("-----BEGIN " + type + "-----");
        int end = text.indexOf("-----END " + type + "-----");
        String body = text.substring(start + ("-----BEGIN " + type + "-----").length(), end).replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }
}
