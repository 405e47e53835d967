package io.pouch.daemon.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repository of one registry, with its authentication state: anonymous, Basic, or a Bearer token fetched
 * from the realm a 401's {@code WWW-Authenticate} names (the token is reused until a request is refused again).
 * Every manifest and blob is checked against its digest before anything is returned.
 */
public final class Repository {
    private static final Logger LOG = Logger.getLogger(Repository.class.getName());
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String SCHEMA1 = "application/vnd.docker.distribution.manifest.v1";
    private static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);
    private static final int MAX_MANIFEST = 4 << 20;
    private static final int ATTEMPTS = 4;
    /** A blob download with no byte for this long is abandoned (and retried). */
    private static final Duration STALL = Duration.ofSeconds(Long.getLong("pouch.registry.stallSeconds", 60));
    /** Uploads up to this size go in one PUT; bigger ones as PATCH chunks of this size. */
    static final int CHUNK = 8 << 20;
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("([A-Za-z_]+)=\"([^\"]*)\"");

    private final RegistryClient client;
    private final String domain;
    private final String path;
    private final Credentials credentials;
    private final boolean push;
    private volatile String host;
    private volatile String authorization;

    Repository(RegistryClient client, String domain, String path, Credentials credentials, boolean push) {
        this.client = client;
        this.domain = domain;
        this.path = path;
        this.credentials = credentials;
        this.push = push;
    }

    public String domain() {
        return domain;
    }

    public String path() {
        return path;
    }

    /** A manifest or index as the registry sent it, verified against {@code digest}. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new RegistryException(500, "the registry sent a manifest that is not JSON (" + digest + ")");
            }
        }

        public boolean isIndex() {
            return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST);
        }
    }

    // ------------------------------------------------------------------ pull

    /**
     * {@code GET /v2/<name>/manifests/<reference>}, reference a tag or digest. A digest reference must match the
     * bytes; for a tag, the {@code Docker-Content-Digest} header (when sent) must. Schema 1 is refused.
     */
    public Manifest manifest(String reference, String display) {
        HttpResponse<byte[]> r = send(uri("/manifests/" + reference), b -> b.GET().header("Accept", ACCEPT), false,
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            throw new RegistryException(404, "manifest for " + display + " not found: " + registryError(r.body(),
                    "manifest unknown: manifest unknown"));
        }
        check(r, "GET manifest " + display);
        byte[] body = r.body();
        if (body.length > MAX_MANIFEST) {
            throw new RegistryException(500, "manifest for " + display + " is larger than 4 MiB: refused");
        }
        String digest = sha256(body);
        String mediaType = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new RegistryException(500, "the manifest for " + display + " is not valid JSON");
        }
        if (json.path("mediaType").isTextual()) {
            mediaType = json.path("mediaType").asText();
        }
        if (mediaType.startsWith(SCHEMA1) || json.path("schemaVersion").asInt() == 1) {
            throw new RegistryException(400, "image " + display + " uses the Docker Image manifest schema 1, which is "
                    + "deprecated and not supported: push it again with a current client (schema 2 or OCI)");
        }
        if (mediaType.isEmpty() || mediaType.equals("application/json")) {
            mediaType = json.has("manifests") ? OCI_INDEX : OCI_MANIFEST;
        }
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new RegistryException(500, "manifest verification failed for digest " + reference
                    + ": the registry sent content with digest " + digest);
        }
        Optional<String> claimed = r.headers().firstValue("Docker-Content-Digest");
        if (!reference.startsWith("sha256:") && claimed.isPresent() && claimed.get().startsWith("sha256:")
                && !claimed.get().equals(digest)) {
            throw new RegistryException(500, "manifest verification failed for " + display + ": the registry says "
                    + claimed.get() + " but the content has digest " + digest);
        }
        return new Manifest(body, mediaType, digest);
    }

    /**
     * {@code GET /v2/<name>/tags/list}, following the registry's {@code Link: <...>; rel="next"} pages (at most
     * 100 of them): every tag of the repository, in the registry's order.
     */
    public List<String> tags(String display) {
        List<String> out = new ArrayList<>();
        URI next = uri("/tags/list?n=1000");
        for (int page = 0; next != null && page < 100; page++) {
            HttpResponse<byte[]> r = send(next, HttpRequest.Builder::GET, false, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() == 404) {
                throw new RegistryException(404, "repository " + display + " not found: " + registryError(r.body(),
                        "name unknown: repository name not known to registry"));
            }
            check(r, "GET tags of " + display);
            try {
                Json.MAPPER.readTree(r.body()).path("tags").forEach(t -> out.add(t.asText()));
            } catch (IOException e) {
                throw new RegistryException(500, "the registry's tag list of " + display + " is not valid JSON");
            }
            Matcher m = NEXT_LINK.matcher(r.headers().firstValue("Link").orElse(""));
            next = m.find() ? r.uri().resolve(m.group(1)) : null;
        }
        return out;
    }

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    /** A small blob (a config) in memory, verified. */
    public byte[] smallBlob(String digest, long size) {
        if (size > MAX_MANIFEST * 4L) {
            throw new RegistryException(500, "blob " + digest + " is too large to be an image config");
        }
        HttpResponse<byte[]> r = send(uri("/blobs/" + digest), HttpRequest.Builder::GET, true,
                HttpResponse.BodyHandlers.ofByteArray());
        check(r, "GET blob " + digest);
        if (!sha256(r.body()).equals(digest)) {
            throw new RegistryException(500, "filesystem layer verification failed for digest " + digest);
        }
        return r.body();
    }

    /** Where a download's bytes go as they arrive (a pull streams them into containerd). */
    @FunctionalInterface
    public interface ChunkSink {
        /**
         * {@code data[0, len)} belongs at {@code offset} of the blob; the array is reused for the next bytes once
         * this returns (copy what you keep). An offset of 0 after bytes were sent means the download started over
         * (the registry ignored a Range request). A RuntimeException ends the download without retry.
         */
        void accept(long offset, byte[] data, int len) throws IOException;
    }

    /**
     * Streams a blob into {@code sink} without a file or a digest of its own: for a sink that verifies the digest
     * and size itself before it keeps anything (a pull writes into containerd's content store, whose commit
     * checks the expected digest; hashing here as well cost a pull a second SHA-256 pass, and ten times that on
     * a JVM limited to C1, which has no SHA intrinsic). Resumes with {@code Range} after a broken connection (up
     * to {@value #ATTEMPTS} attempts); a registry that ignores the Range starts the sink over at offset 0. The
     * sink gets each read's bytes in a fresh array it may keep.
     */
    public void streamBlob(String digest, long size, LongConsumer progress, ChunkSink sink) throws IOException {
        Counted counted = new Counted();
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (counted.count == size && size > 0) {
                return;
            }
            try {
                fetchOnce(digest, size, counted.count, progress, counted, sink);
                if (counted.count == size) {
                    return;
                }
                last = new IOException("unexpected EOF: " + counted.count + " of " + size + " bytes");
            } catch (IOException e) {
                last = e;
            } catch (RegistryException e) {
                if (!(e.getCause() instanceof IOException io)) {
                    throw e;
                }
                last = io;
            }
            if (attempt == ATTEMPTS) {
                throw new RegistryException(500, "failed to download " + digest + " after " + ATTEMPTS
                        + " attempts: " + RegistryClient.describe(last), last);
            }
            sleep(250L * attempt);
        }
    }

    /** How many bytes of a blob the sink has been given (a resumed download continues from there). */
    private static final class Counted {
        long count;
    }

    private void fetchOnce(String digest, long size, long have, LongConsumer progress, Counted counted,
                           ChunkSink sink) throws IOException {
        HttpResponse<InputStream> r = send(uri("/blobs/" + digest), b -> {
            b.GET();
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
        }, true, HttpResponse.BodyHandlers.ofInputStream());
        long[] lastRead = {System.nanoTime()};
        InputStream stream = r.body();
        // the JDK client has no read timeout for bodies: a stalled connection is closed by this watchdog
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (System.nanoTime() - lastRead[0] < STALL.toNanos()) {
                    Thread.sleep(1000);
                }
                stream.close();
            } catch (InterruptedException | IOException ignored) {
                // download over
            }
        });
        try (InputStream in = stream) {
            boolean append;
            if (r.statusCode() == 206 && have > 0) {
                append = true;
            } else if (r.statusCode() == 200) {
                append = false;
            } else if (r.statusCode() == 416 && have >= size) {
                return;
            } else {
                byte[] body = in.readNBytes(64 << 10);
                check(new Bytes(r.statusCode(), r.headers(), body, r.uri()), "GET blob " + digest);
                throw new IOException("unexpected status " + r.statusCode());
            }
            if (!append) {
                counted.count = 0;
            }
            long count = append ? have : 0;
            // reads are gathered up to STREAM_READ so the sink gets few, large pieces; one array for all of them
            // (a fresh one per piece was 63 MB of garbage per 63 MB pull)
            byte[] buf = new byte[STREAM_READ];
            int n;
            while ((n = readSome(in, buf)) > 0) {
                if (count + n > size) {
                    throw new RegistryException(500, "filesystem layer verification failed for digest " + digest
                            + ": the registry sent more than the " + size + " bytes the manifest lists");
                }
                sink.accept(count, buf, n);
                counted.count += n;
                lastRead[0] = System.nanoTime();
                count += n;
                progress.accept(count);
            }
        } finally {
            watchdog.interrupt();
        }
    }

    /**
     * Bytes {@code [offset, offset+length)} of a blob by a Range GET with this repository's credentials, checked
     * as {@link RangeAnswer} says. A broken connection is an IOException; a refusal a RegistryException.
     */
    public byte[] readRange(String digest, long offset, int length) throws IOException {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("invalid range of " + digest + ": " + length + " bytes at " + offset);
        }
        HttpResponse<InputStream> r;
        try {
            r = send(uri("/blobs/" + digest), b -> b.GET().header("Range", RangeAnswer.header(offset, length)), true,
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (RegistryException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
        try (InputStream in = r.body()) {
            byte[] bytes = RangeAnswer.read(r, digest, offset, length, STALL);
            if (bytes == null) {
                check(new Bytes(r.statusCode(), r.headers(), in.readNBytes(64 << 10), r.uri()), "GET blob " + digest);
                throw new IOException("unexpected status " + r.statusCode() + " for a range of " + digest);
            }
            return bytes;
        }
    }

    /** Bytes gathered per piece of a streamed download. */
    private static final int STREAM_READ = 1 << 20;

    /**
     * Reads until {@code buf} is full, the stream ends, or it has nothing more right now after at least 256 KiB
     * (so progress and the watchdog keep moving on a slow link); returns 0 at the end.
     */
    private static int readSome(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                break;
            }
            n += r;
            if (n >= (256 << 10) && in.available() == 0) {
                break;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ push

    /** {@code HEAD /v2/<name>/blobs/<digest>}: is the blob already in this repository? */
    public boolean blobExists(String digest) {
        HttpResponse<Void> r = send(uri("/blobs/" + digest), b -> b.method("HEAD", HttpRequest.BodyPublishers.noBody()),
                false, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 404) {
            return false;
        }
        if (r.statusCode() / 100 == 2) {
            return true;
        }
        check(new Bytes(r.statusCode(), r.headers(), new byte[0], r.uri()), "HEAD blob " + digest);
        return false;
    }

    /**
     * Starts an upload, asking to mount {@code digest} from {@code fromRepository} of the same registry when
     * given. Returns empty when the registry mounted it (201), else the upload's location.
     */
    public Optional<URI> startUpload(String digest, String fromRepository) {
        String q = fromRepository == null ? "" : "?mount=" + enc(digest) + "&from=" + enc(fromRepository);
        HttpResponse<byte[]> r = send(uri("/blobs/uploads/" + q),
                b -> b.POST(HttpRequest.BodyPublishers.noBody()), false, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 201 && fromRepository != null) {
            return Optional.empty();
        }
        check(r, "POST blob upload");
        return Optional.of(location(r));
    }

    /** Source of upload bytes, opened once. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    /**
     * Uploads a blob: one PUT when it is small, else PATCH chunks (each answered with the next location), then
     * the closing PUT with the digest.
     */
    public void upload(URI location, String digest, long size, Source source, LongConsumer progress) throws IOException {
        try (InputStream in = source.open()) {
            URI loc = location;
            if (size <= CHUNK) {
                byte[] bytes = in.readAllBytes();
                URI put = withQuery(loc, "digest=" + enc(digest));
                HttpResponse<byte[]> r = send(put, b -> b.PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .header("Content-Type", "application/octet-stream"), false, HttpResponse.BodyHandlers.ofByteArray());
                check(r, "PUT blob " + digest);
                progress.accept(size);
                return;
            }
            long offset = 0;
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                byte[] chunk = n == buf.length ? buf : Arrays.copyOf(buf, n);
                long start = offset;
                URI target = loc;
                HttpResponse<byte[]> r = send(target, b -> b.method("PATCH", HttpRequest.BodyPublishers.ofByteArray(chunk))
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Range", start + "-" + (start + chunk.length - 1)), false,
                        HttpResponse.BodyHandlers.ofByteArray());
                check(r, "PATCH blob " + digest);
                loc = location(r);
                offset += n;
                progress.accept(offset);
            }
            URI put = withQuery(loc, "digest=" + enc(digest));
            HttpResponse<byte[]> r = send(put, b -> b.PUT(HttpRequest.BodyPublishers.noBody()), false,
                    HttpResponse.BodyHandlers.ofByteArray());
            check(r, "PUT blob " + digest);
        }
    }

    /** {@code PUT /v2/<name>/manifests/<tag>}; returns the digest the registry reports (or ours). */
    public String putManifest(String tag, byte[] manifest, String mediaType) {
        HttpResponse<byte[]> r = send(uri("/manifests/" + tag), b -> b.PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                .header("Content-Type", mediaType), false, HttpResponse.BodyHandlers.ofByteArray());
        check(r, "PUT manifest " + tag);
        return r.headers().firstValue("Docker-Content-Digest").orElse(sha256(manifest));
    }

    // ------------------------------------------------------------------ login, catalog

    /**
     * Checks the credentials: {@code GET /v2/} and, when it asks for them, Basic credentials or a token fetched
     * with them. Refused credentials are a 401 naming the registry.
     */
    public void login() {
        HttpResponse<byte[]> r = send(base().resolve("/v2/"), HttpRequest.Builder::GET, false,
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 401) {
            throw new RegistryException(401, "login attempt to " + base().resolve("/v2/")
                    + " failed with status: 401 Unauthorized");
        }
        check(r, "GET /v2/");
    }

    /** {@code GET /v2/_catalog}: the repository names (paths) of the registry. */
    public List<String> catalog(int max) {
        HttpResponse<byte[]> r = send(base().resolve("/v2/_catalog?n=" + max), HttpRequest.Builder::GET, false,
                HttpResponse.BodyHandlers.ofByteArray());
        check(r, "GET /v2/_catalog");
        List<String> out = new ArrayList<>();
        try {
            Json.MAPPER.readTree(r.body()).path("repositories").forEach(n -> out.add(n.asText()));
        } catch (IOException e) {
            throw new RegistryException(500, "the registry's catalog is not valid JSON");
        }
        return out;
    }

    // ------------------------------------------------------------------ transport and auth

    private URI base() {
        if (host == null) {
            RegistryException first = null;
            for (String h : client.pullHosts(domain)) {
                if (push && !h.equals(RegistryClient.apiHost(domain))) {
                    continue;
                }
                try {
                    client.endpoint(h);
                    host = h;
                    break;
                } catch (RegistryException e) {
                    LOG.fine(() -> "registry endpoint " + h + " skipped: " + e.getMessage());
                    first = first == null ? e : first;
                }
            }
            if (host == null) {
                throw first;
            }
        }
        return client.endpoint(host).base();
    }

    private URI uri(String suffix) {
        return base().resolve("/v2/" + path + suffix);
    }

    private interface Customizer {
        void apply(HttpRequest.Builder b);
    }

    /** Sends with the current authorization; on 401 authenticates as the challenge asks and retries once. */
    private <T> HttpResponse<T> send(URI uri, Customizer c, boolean blob, HttpResponse.BodyHandler<T> handler) {
        RegistryClient.Endpoint ep = client.endpoint(host == null ? hostOf(base()) : host);
        HttpClient http = blob ? ep.blobs() : ep.api();
        for (int round = 0; ; round++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                    .header("User-Agent", "pouch/0.1.0 (jvm)");
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            c.apply(b);
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), handler);
            } catch (IOException e) {
                client.forget(ep.host());
                throw new RegistryException(500, b.build().method() + " \"" + uri + "\": " + RegistryClient.describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(500, "interrupted while talking to " + ep.host());
            }
            HttpResponse<T> answered = r;
            LOG.fine(() -> "registry " + answered.request().method() + " " + uri + ": " + answered.statusCode());
            if (r.statusCode() != 401 || round > 0) {
                return r;
            }
            if (r.body() instanceof InputStream in) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the connection is dropped, that is all
                }
            }
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
            String auth = authenticate(challenge);
            if (auth == null || auth.equals(authorization)) {
                return r;
            }
            authorization = auth;
        }
    }

    private static String hostOf(URI u) {
        return u.getPort() > 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
    }

    /** The Authorization value for a challenge, or null when we have nothing to offer. */
    private String authenticate(String challenge) {
        String scheme = challenge.split(" ", 2)[0].trim();
        if (scheme.equalsIgnoreCase("Basic")) {
            return credentials.hasBasic() ? basic() : null;
        }
        if (!scheme.equalsIgnoreCase("Bearer")) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new RegistryException(500, "the registry " + domain + " asked for a token without naming a realm");
        }
        String scope = path.isEmpty() ? params.get("scope")
                : params.getOrDefault("scope", "repository:" + path + ":" + (push ? "pull,push" : "pull"));
        if (push && !path.isEmpty() && !scope.contains("push")) {
            scope = "repository:" + path + ":pull,push";
        }
        return "Bearer " + token(realm, params.get("service"), scope);
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((credentials.username() + ":" + credentials.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Fetches a token: GET with Basic credentials, or POST with the identity token as refresh token (OAuth2). */
    private String token(String realm, String service, String scope) {
        if (credentials.registryToken() != null) {
            return credentials.registryToken();
        }
        StringBuilder q = new StringBuilder();
        if (service != null) {
            q.append("service=").append(enc(service));
        }
        if (scope != null && !scope.isEmpty()) {
            q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(scope));
        }
        HttpRequest.Builder b;
        if (credentials.identityToken() != null) {
            String form = "grant_type=refresh_token&client_id=pouch&refresh_token=" + enc(credentials.identityToken())
                    + (q.isEmpty() ? "" : "&" + q);
            b = HttpRequest.newBuilder(URI.create(realm)).POST(HttpRequest.BodyPublishers.ofString(form))
                    .header("Content-Type", "application/x-www-form-urlencoded");
        } else {
            b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + q)).GET();
            if (credentials.hasBasic()) {
                b.header("Authorization", basic());
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = client.endpoint(host).api().send(b.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new RegistryException(500, "fetching a token from " + realm + " failed: " + RegistryClient.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, "interrupted while fetching a token from " + realm);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            String refused = "Get \"" + realm + "\": unauthorized: the token server of " + domain
                    + " refused " + (credentials.isEmpty() ? "anonymous access" : "the credentials of "
                    + credentials.username()) + (credentials.isEmpty() ? " (try docker login " + domain + ")" : "");
            throw path.isEmpty() ? new RegistryException(401, refused) : RegistryException.unauthorized(refused);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RegistryException(500, "fetching a token from " + realm + " failed with status " + r.statusCode());
        }
        try {
            JsonNode t = Json.MAPPER.readTree(r.body());
            String token = t.path("token").asText(t.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException(500, "the token server " + realm + " answered without a token");
            }
            return token;
        } catch (IOException e) {
            throw new RegistryException(500, "the token server " + realm + " answered with invalid JSON");
        }
    }

    private record Bytes(int status, HttpHeaders headers, byte[] body, URI uri) {
    }

    private void check(HttpResponse<byte[]> r, String what) {
        check(new Bytes(r.statusCode(), r.headers(), r.body(), r.uri()), what);
    }

    /** Turns an error answer into dockerd's wording: 401 names the registry, others carry the registry's error. */
    private void check(Bytes r, String what) {
        int s = r.status();
        if (s / 100 == 2) {
            return;
        }
        String detail = registryError(r.body(), "status " + s);
        if (s == 401) {
            // 500 as dockerd answers: a 401 would make the docker CLI prompt for a login in the middle of a pull
            String who = credentials.isEmpty() ? "no basic auth credentials" : "unauthorized: authentication required";
            throw RegistryException.unauthorized((push ? "push" : "pull") + " access to " + domain + "/" + path
                    + " denied by the registry " + domain + ": " + who + " (" + detail + ")"
                    + (credentials.isEmpty() ? "; log in with `docker login " + domain + "`" : ""));
        }
        if (s == 403) {
            throw new RegistryException(403, "denied: requested access to " + domain + "/" + path
                    + " is denied by the registry (" + detail + ")");
        }
        if (s == 404) {
            throw new RegistryException(404, what + " in " + domain + "/" + path + ": " + detail);
        }
        throw new RegistryException(500, what + " in " + domain + "/" + path + " failed: " + detail);
    }

    /** The registry's error body ({@code {"errors":[{"code","message"}]}}) as docker prints it. */
    static String registryError(byte[] body, String fallback) {
        try {
            JsonNode e = Json.MAPPER.readTree(body).path("errors").path(0);
            if (e.has("code")) {
                return e.path("code").asText().toLowerCase().replace('_', ' ') + ": " + e.path("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not the registry's JSON
        }
        return fallback;
    }

    private URI location(HttpResponse<?> r) {
        String loc = r.headers().firstValue("Location").orElseThrow(
                () -> new RegistryException(500, "the registry started an upload without a Location"));
        return r.uri().resolve(loc);
    }

    private static URI withQuery(URI u, String q) {
        String s = u.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + q);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static MessageDigest md() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(md().digest(bytes));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, "interrupted");
        }
    }
}
