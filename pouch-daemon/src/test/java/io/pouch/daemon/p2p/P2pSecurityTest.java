package io.pouch.daemon.p2p;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.Certificate;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who a piece server and a scheduler let in: members of the cluster CA over mutual TLS, or token holders. */
class P2pSecurityTest {
    private static final String PIECE_PATH = "/p2p/v1/blobs/sha256:" + "cd".repeat(32) + "/pieces/0";

    @TempDir
    static Path pki;
    static TestPki cluster;
    static TestPki foreign;
    static TestPki.Party member;
    static TestPki.Party stranger;

    @TempDir
    Path tmp;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        cluster = TestPki.create(pki, "cluster");
        member = cluster.issue("member");
        foreign = TestPki.create(pki, "foreign");
        stranger = foreign.issue("stranger");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
    }

    private P2pPeer peer(P2pSettings s) throws IOException {
        P2pPeer p = P2pPeer.start(s, tmp.resolve("spool"));
        started.add(p);
        return p;
    }

    private static P2pSettings tls(Path ca, TestPki.Party party) {
        return new P2pSettings(true, null, "127.0.0.1:0", null, ca, party.cert(), party.key(), null, 1 << 20, 0, 4);
    }

    private static int get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try (client) {
            return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    @Test
    void aClientWithTheClustersCertificateIsServed() throws Exception {
        P2pPeer p = peer(tls(cluster.caCert, member));
        HttpClient c = P2pSecurity.mutualTls(cluster.caCert, member.cert(), member.key())
                .newClient(Duration.ofSeconds(5));
        assertEquals(404, get(c, "https://127.0.0.1:" + p.address().getPort() + PIECE_PATH, null));
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        P2pPeer p = peer(tls(cluster.caCert, member));
        SSLContext trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, new javax.net.ssl.TrustManager[] {new CaTrustManager(read(cluster.caCert))}, null);
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trustOnly).build();
        assertThrows(IOException.class, () -> get(c, "https://127.0.0.1:" + p.address().getPort() + PIECE_PATH,
                null));
    }

    @Test
    void aClientWithACertificateFromAnotherCaIsRefused() throws Exception {
        P2pPeer p = peer(tls(cluster.caCert, member));
        HttpClient c = P2pSecurity.mutualTls(cluster.caCert, stranger.cert(), stranger.key())
                .newClient(Duration.ofSeconds(5));
        assertThrows(IOException.class, () -> get(c, "https://127.0.0.1:" + p.address().getPort() + PIECE_PATH,
                null));
    }

    @Test
    void aServerWithACertificateFromAnotherCaIsRefusedByTheClient() throws Exception {
        P2pPeer p = peer(tls(foreign.caCert, stranger));
        // the server would accept this client (its CA signed the client's certificate): only the client refuses
        HttpClient c = P2pSecurity.mutualTls(cluster.caCert, stranger.cert(), stranger.key())
                .newClient(Duration.ofSeconds(5));
        assertThrows(IOException.class, () -> get(c, "https://127.0.0.1:" + p.address().getPort() + PIECE_PATH,
                null));
    }

    @Test
    void aPlainClientCannotTalkToATlsServer() throws Exception {
        P2pPeer p = peer(tls(cluster.caCert, member));
        assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), "http://127.0.0.1:"
                + p.address().getPort() + PIECE_PATH, null));
    }

    @Test
    void tokenModeServesOnlyTheRightBearer() throws Exception {
        P2pPeer p = peer(new P2pSettings(true, null, "127.0.0.1:0", null, null, null, null, "s3cret", 1 << 20, 0, 4));
        String url = "http://127.0.0.1:" + p.address().getPort() + PIECE_PATH;
        assertEquals(401, get(HttpClient.newHttpClient(), url, null));
        assertEquals(401, get(HttpClient.newHttpClient(), url, "Bearer wrong"));
        assertEquals(404, get(HttpClient.newHttpClient(), url, "Bearer s3cret"));
    }

    @Test
    void settingsNeedExactlyTheTlsFilesOrAToken() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> P2pSecurity.of(
                new P2pSettings(true, null, "127.0.0.1:0", null, cluster.caCert, member.cert(), member.key(), "t",
                        1 << 20, 0, 4)));
        assertTrue(both.getMessage().contains("token") && both.getMessage().contains("ca-file"), both.getMessage());
        IllegalArgumentException neither = assertThrows(IllegalArgumentException.class, () -> P2pSecurity.of(
                new P2pSettings(true, null, "127.0.0.1:0", null, null, null, null, "", 1 << 20, 0, 4)));
        assertTrue(neither.getMessage().contains("key-file"), neither.getMessage());
        IllegalArgumentException some = assertThrows(IllegalArgumentException.class, () -> P2pSecurity.of(
                new P2pSettings(true, null, "127.0.0.1:0", null, cluster.caCert, null, member.key(), null,
                        1 << 20, 0, 4)));
        assertTrue(some.getMessage().contains("cert-file"), some.getMessage());
    }

    @Test
    void badAddressesAreRefusedNamingTheirKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peer(new P2pSettings(true,
                "scheduler-without-port", "127.0.0.1:0", null, null, null, null, "t", 1 << 20, 0, 4)));
        assertTrue(e.getMessage().startsWith("p2p scheduler:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> peer(new P2pSettings(true, null, "0.0.0.0:0", null,
                null, null, null, "t", 1 << 20, 0, 4)));
        assertTrue(e.getMessage().contains("advertise"), e.getMessage());
    }

    private static Certificate[] read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
        }
    }
}
