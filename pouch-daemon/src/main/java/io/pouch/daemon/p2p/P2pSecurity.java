package io.pouch.daemon.p2p;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;

/**
 * How P2P parties prove they belong to the cluster. Mutual TLS: every server (scheduler, piece server) requires a
 * client certificate signed by the cluster CA, and every client checks the server's certificate against the same CA
 * and shows its own. Membership is the CA's signature: host names are not checked, because peers are addressed by
 * the IP they advertise. Token mode: plain HTTP with {@code Authorization: Bearer <token>}; anyone on the path can
 * read the token and the pieces, so it is for tests and closed networks only.
 */
public final class P2pSecurity {
    private final SslContext server;
    private final SSLContext client;
    private final String token;

    private P2pSecurity(SslContext server, SSLContext client, String token) {
        this.server = server;
        this.client = client;
        this.token = token;
    }

    /**
     * From the settings' files or token: exactly one of the two.
     *
     * @throws IllegalArgumentException naming the keys when both, neither, or only some TLS files are given, or a
     *                                  file cannot be used
     */
    public static P2pSecurity of(P2pSettings s) {
        boolean anyFile = s.caFile() != null || s.certFile() != null || s.keyFile() != null;
        boolean hasToken = s.token() != null && !s.token().isEmpty();
        if (anyFile && hasToken) {
            throw new IllegalArgumentException("p2p: give either the TLS files (ca-file, cert-file, key-file) or"
                    + " token, not both");
        }
        if (hasToken) {
            return token(s.token());
        }
        if (s.caFile() == null || s.certFile() == null || s.keyFile() == null) {
            throw new IllegalArgumentException("p2p needs mutual TLS (ca-file, cert-file and key-file all given) or"
                    + " a token");
        }
        return mutualTls(s.caFile(), s.certFile(), s.keyFile());
    }

    public static P2pSecurity token(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("p2p token must not be empty");
        }
        return new P2pSecurity(null, null, token);
    }

    /** @param key PEM, PKCS#8 ({@code openssl pkcs8 -topk8 -nocrypt} converts other forms) */
    public static P2pSecurity mutualTls(Path ca, Path cert, Path key) {
        for (Path p : new Path[] {ca, cert, key}) {
            if (!Files.isReadable(p)) {
                throw new IllegalArgumentException("p2p: cannot read TLS file " + p);
            }
        }
        try {
            String pem = Files.readString(key);
            if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
                throw new IllegalArgumentException("p2p: TLS key " + key + " is not in PKCS#8 form; convert it with"
                        + " `openssl pkcs8 -topk8 -nocrypt -in " + key + " -out key.pem`");
            }
            CaTrustManager trust = new CaTrustManager(readCertificates(ca));
            SslContext server = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
            SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .keyManager(cert.toFile(), key.toFile())
                    .trustManager(trust)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
            return new P2pSecurity(server, ((JdkSslContext) client).context(), null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("p2p: cannot set up TLS from " + cert + ", " + key + " and " + ca
                    + ": " + e.getMessage(), e);
        }
    }

    private static Certificate[] readCertificates(Path ca) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(ca)) {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (all.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + ca);
            }
            return all.toArray(Certificate[]::new);
        }
    }

    public boolean tls() {
        return server != null;
    }

    /** The server side's TLS, or null in token mode. */
    SslContext serverContext() {
        return server;
    }

    String scheme() {
        return tls() ? "https" : "http";
    }

    /** A client for scheduler and piece requests (HTTP/1.1, the servers speak nothing else). */
    HttpClient newClient(Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout);
        if (client != null) {
            b.sslContext(client);
        }
        return b.build();
    }

    /** The Authorization header value a client sends, or null with mutual TLS. */
    String authorization() {
        return token == null ? null : "Bearer " + token;
    }

    /** Whether a request may be served: with TLS the handshake already checked the client's certificate. */
    boolean admits(String authorizationHeader) {
        if (token == null) {
            return true;
        }
        return authorizationHeader != null && MessageDigest.isEqual(
                authorizationHeader.getBytes(StandardCharsets.UTF_8),
                authorization().getBytes(StandardCharsets.UTF_8));
    }
}
