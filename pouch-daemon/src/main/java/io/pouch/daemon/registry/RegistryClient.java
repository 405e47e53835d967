package io.pouch.daemon.registry;

import io.pouch.daemon.config.RegistryConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Reaches registries (Docker Registry HTTP API v2 / OCI distribution). The transport is the JDK's
 * {@link HttpClient}: it does HTTP/1.1 and TLS well, is maintained with the JDK, and needs no dependency. This
 * class only decides how to reach a host (scheme, trust, proxy); {@link Repository} speaks the protocol.
 *
 * <p>Trust follows dockerd: HTTPS with the system roots plus {@code <certsDir>/<host>/ca.crt}; a host listed in
 * insecure-registries, or a loopback one without a ca.crt, is tried over HTTPS without verification and then
 * plain HTTP.
 */
public final class RegistryClient {
    /** Where docker.io's API really lives. */
    static final String DOCKER_HUB_HOST = "registry-1.docker.io";

    static {
        // The JDK client reads a response into buffers of this size (16 KiB by default) and hands each one
        // between its threads and to the body's InputStream; with 256 KiB a 63 MB pull cost pouchd + containerd
        // 0.78-0.79 CPU s instead of 0.90-0.93, and 566-571 ms instead of 622-648 (bench/pull 5, alternated).
        // Read once, when the client's classes load: set before the first HttpClient is built, unless given.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(256 << 10));
        }
    }

    private volatile RegistryConfig config;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public RegistryClient(RegistryConfig config) {
        this.config = config;
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * Pouch's live image-proxy update: later blob downloads go through {@code proxy} ("" or null: none, the
     * environment's proxy again). Pulls under way keep the clients they have; the next ones probe their hosts anew.
     *
     * @throws IllegalArgumentException when {@code proxy} is not host:port or an http URL
     */
    public synchronized void setImageProxy(String proxy) {
        String p = proxy == null || proxy.isBlank() ? null : proxy;
        if (p != null) {
            InetSocketAddress a = proxyAddress(p);
            if (a.getHostString() == null || a.getHostString().isEmpty()) {
                throw new IllegalArgumentException("no host in image proxy " + p);
            }
        }
        RegistryConfig c = config;
        config = new RegistryConfig(c.defaultRegistry(), c.mirrors(), c.insecureRegistries(), c.certsDir(), p,
                c.defaultNamespace());
        endpoints.clear();
    }

    /** How one registry host is reached: its base URI ({@code https://host:port}) and the clients to use. */
    record Endpoint(String host, URI base, HttpClient api, HttpClient blobs) {
    }

    /** A session on one repository ({@code path} like {@code library/busybox}) of registry {@code domain}. */
    public Repository repository(String domain, String path, Credentials credentials, boolean push) {
        return new Repository(this, domain, path, credentials == null ? Credentials.NONE : credentials, push);
    }

    /** The host the API of {@code domain} lives on ({@code docker.io} is {@code registry-1.docker.io}). */
    static String apiHost(String domain) {
        return domain.equals("docker.io") || domain.equals("index.docker.io") ? DOCKER_HUB_HOST : domain;
    }

    /**
     * Hosts to try for pulls from {@code domain}: the configured mirrors first when it is docker.io, then the
     * registry itself.
     */
    List<String> pullHosts(String domain) {
        List<String> out = new ArrayList<>();
        for (String m : config.mirrors()) {
            int eq = m.indexOf('=');
            // "URL" mirrors Docker Hub, as dockerd's registry-mirrors; "<registry>=URL" mirrors that registry
            String of = eq < 0 ? DOCKER_HUB_HOST : apiHost(m.substring(0, eq));
            if (of.equals(apiHost(domain))) {
                out.add(m.substring(eq + 1).replaceFirst("^https?://", "").replaceAll("/+$", ""));
            }
        }
        out.add(apiHost(domain));
        return out;
    }

    boolean insecure(String host) {
        if (config.insecureRegistries().contains(host)) {
            return true;
        }
        String name = host.startsWith("[") ? host.substring(1, host.indexOf(']'))
                : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        if (name.equals("localhost")) {
            return true;
        }
        try {
            // loopback registries count as insecure, as in Docker; never resolve a real name here
            return Character.isDigit(name.charAt(0)) || name.contains(":")
                    ? InetAddress.getByName(name).isLoopbackAddress() : false;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The endpoint of {@code host}, probing {@code /v2/} once: HTTPS first; plain HTTP only for insecure hosts.
     * The answer's status does not matter (401 is normal), only that the scheme works.
     */
    Endpoint endpoint(String host) {
        Endpoint known = endpoints.get(host);
        if (known != null) {
            return known;
        }
        // a CA given for the host is always checked, even for a loopback one (then no plain-HTTP fallback)
        boolean hasCa = Files.isRegularFile(caFile(host));
        boolean insecure = config.insecureRegistries().contains(host) || (!hasCa && insecure(host));
        SSLContext tls = tlsFor(host, insecure);
        HttpClient https = client(tls, apiProxy());
        IOException httpsError;
        try {
            URI base = URI.create("https://" + host);
            https.send(HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return remember(new Endpoint(host, base, https, client(tls, blobProxy())));
        } catch (IOException e) {
            httpsError = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, "interrupted while contacting " + host);
        }
        if (!insecure) {
            throw new RegistryException(500, "Get \"https://" + host + "/v2/\": " + describe(httpsError)
                    + (httpsError instanceof SSLException
                    ? " (add its CA as " + config.certsDir().resolve(host).resolve("ca.crt")
                    + " or list it in insecure-registries)" : ""), httpsError);
        }
        HttpClient http = client(null, apiProxy());
        URI base = URI.create("http://" + host);
        try {
            http.send(HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new RegistryException(500, "Get \"http://" + host + "/v2/\": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, "interrupted while contacting " + host);
        }
        return remember(new Endpoint(host, base, http, client(null, blobProxy())));
    }

    private Endpoint remember(Endpoint e) {
        endpoints.put(e.host(), e);
        return e;
    }

    /** Forgets how a host was reached (it went away, or its scheme changed): the next call probes again. */
    void forget(String host) {
        endpoints.remove(host);
    }

    static String describe(Throwable e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static HttpClient client(SSLContext tls, ProxySelector proxy) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(15)).followRedirects(HttpClient.Redirect.NORMAL);
        if (tls != null) {
            b.sslContext(tls);
        }
        if (proxy != null) {
            b.proxy(proxy);
        }
        return b.build();
    }

    /** HTTPS_PROXY / HTTP_PROXY of pouchd's environment (and NO_PROXY), as dockerd honours them. */
    private ProxySelector apiProxy() {
        String p = firstEnv("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy");
        return p == null ? null : new EnvProxySelector(proxyAddress(p), firstEnv("NO_PROXY", "no_proxy"));
    }

    /** Pouch's image-proxy (blob downloads only), else the environment's proxy. */
    private ProxySelector blobProxy() {
        if (config.imageProxy() != null && !config.imageProxy().isBlank()) {
            return ProxySelector.of(proxyAddress(config.imageProxy()));
        }
        return apiProxy();
    }

    private static String firstEnv(String... names) {
        for (String n : names) {
            String v = System.getenv(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    static InetSocketAddress proxyAddress(String text) {
        URI u = URI.create(text.contains("://") ? text : "http://" + text);
        return InetSocketAddress.createUnresolved(u.getHost(), u.getPort() > 0 ? u.getPort() : 80);
    }

    /** A proxy for every host except loopback ones and those NO_PROXY lists (suffix match, as Go does). */
    private static final class EnvProxySelector extends ProxySelector {
        private final List<Proxy> proxy;
        private final List<String> noProxy;

        EnvProxySelector(InetSocketAddress address, String noProxy) {
            this.proxy = List.of(new Proxy(Proxy.Type.HTTP, address));
            this.noProxy = noProxy == null ? List.of()
                    : List.of(noProxy.split(",")).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        @Override
        public List<Proxy> select(URI uri) {
            String h = uri.getHost();
            if (h == null || h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1")) {
                return List.of(Proxy.NO_PROXY);
            }
            for (String n : noProxy) {
                if (n.equals("*") || h.equals(n) || h.endsWith(n.startsWith(".") ? n : "." + n)) {
                    return List.of(Proxy.NO_PROXY);
                }
            }
            return proxy;
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            // nothing to learn: the request fails with the error
        }
    }

    // ---- TLS ----

    private Path caFile(String host) {
        return config.certsDir().resolve(host.replace("/", "_")).resolve("ca.crt");
    }

    private SSLContext tlsFor(String host, boolean insecure) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (insecure) {
                ctx.init(null, new TrustManager[]{TRUST_ALL}, null);
                return ctx;
            }
            Path ca = caFile(host);
            if (!Files.isRegularFile(ca)) {
                return SSLContext.getDefault();
            }
            ctx.init(null, new TrustManager[]{withExtraCa(ca)}, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new RegistryException(500, "cannot set up TLS for " + host + ": " + e.getMessage(), e);
        }
    }

    /** The JDK's default roots plus every certificate in {@code ca} (PEM, possibly several). */
    private static X509TrustManager withExtraCa(Path ca) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        TrustManagerFactory def = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        def.init((KeyStore) null);
        int i = 0;
        for (TrustManager tm : def.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    ks.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        try (InputStream in = Files.newInputStream(ca)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("registry-" + i++, c);
            }
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager");
    }

    /**
     * Accepts any server certificate and, being an extended trust manager, also skips the host name check (the
     * JDK does that check inside the trust manager). Only for registries the operator listed as insecure.
     */
    private static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
