package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Engine API on TCP: only with TLS and client certificates. A private pouchd listens on a unix socket and on
 * tcp://127.0.0.1 with certificates this test makes with openssl (a CA, a server certificate for 127.0.0.1, a
 * client certificate, and a client certificate from another CA that must be refused); the real docker CLI and the
 * pouch CLI talk to it, including a hijacked stream whose stdin ends with TLS close_notify.
 */
@Tag("e2e")
class TlsEndToEndTest {
    private static PouchdHarness d;
    private static int port;
    private static Path tls;

    @BeforeAll
    static void daemon() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        d = PouchdHarness.startPrivate("ptls", base -> makeCertificates(base.resolve("tls")),
                List.of("--listen", "tcp://127.0.0.1:" + port, // besides the harness's unix socket
                        "--tlsverify", "--tlscacert", "$BASE/tls/ca.pem", "--tlscert", "$BASE/tls/server.pem",
                        "--tlskey", "$BASE/tls/server-key.pem"));
        tls = d.base().resolve("tls");
    }

    @AfterAll
    static void stop() {
        if (d != null) {
            d.close();
        }
    }

    /** openssl as an operator would use it: EC P-256 keys (PKCS#8 PEM), a CA, certificates signed by it. */
    private static void makeCertificates(Path dir) {
        try {
            Files.createDirectories(dir);
            String script = """
                    set -e
                    cd "$1"
                    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
                    ca() { key "$1-key.pem"; openssl req -x509 -new -key "$1-key.pem" -subj "/CN=$1" -days 2 -out "$1.pem"; }
                    cert() { # name ca extensions
                      key "$1-key.pem"
                      openssl req -new -key "$1-key.pem" -subj "/CN=$1" -out "$1.csr"
                      printf '%s\\n' "$3" > "$1.ext"
                      openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 2 \\
                        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
                    }
                    ca ca
                    ca otherca
                    cert server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
                    extendedKeyUsage=serverAuth"
                    cert client ca "extendedKeyUsage=clientAuth"
                    cert stranger otherca "extendedKeyUsage=clientAuth"
                    """;
            Cmd.Result r = Cmd.run(List.of("bash", "-c", script, "certs", dir.toString()), Map.of(), null,
                    Duration.ofSeconds(60));
            if (r.exit() != 0) {
                throw new AssertionError("openssl: " + r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Cmd.Result dockerTls(String client, byte[] stdin, String... args) {
        List<String> c = new ArrayList<>(List.of("docker", "-H", "tcp://127.0.0.1:" + port, "--tlsverify",
                "--tlscacert", tls.resolve("ca.pem").toString(), "--tlscert", tls.resolve(client + ".pem").toString(),
                "--tlskey", tls.resolve(client + "-key.pem").toString()));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), stdin,
                Duration.ofSeconds(120));
    }

    private static Cmd.Result pouchTls(byte[] stdin, String... args) {
        List<String> c = PouchdHarness.pouchCli();
        c.addAll(List.of("-H", "tcp://127.0.0.1:" + port, "--tlsverify", "--tlscacert", tls.resolve("ca.pem").toString(),
                "--tlscert", tls.resolve("client.pem").toString(), "--tlskey", tls.resolve("client-key.pem").toString()));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of(), stdin, Duration.ofSeconds(120));
    }

    @Test
    void dockerCliOverTlsWithAClientCertificate() {
        assertEquals("hello over tls", dockerTls("client", null, "run", "--rm", "busybox", "echo", "hello over tls")
                .ok().trimmed());
        // stdin through a hijacked stream: docker ends it with close_notify, the output still arrives
        Cmd.Result wc = dockerTls("client", "a\nb\nc\n".getBytes(StandardCharsets.UTF_8), "run", "-i", "--rm",
                "busybox", "wc", "-l");
        assertEquals("3", wc.ok().trimmed(), wc.toString());
        assertTrue(dockerTls("client", null, "version", "--format", "{{.Server.APIVersion}}").ok().trimmed()
                .matches("1\\.\\d+"));
    }

    @Test
    void pouchCliOverTls() {
        String n = "tls-" + Long.toHexString(System.nanoTime());
        try {
            pouchTls(null, "run", "-d", "--name", n, "busybox", "sleep", "100").ok();
            assertTrue(pouchTls(null, "ps").ok().out().contains(n));
            Cmd.Result wc = pouchTls("x\ny\n".getBytes(StandardCharsets.UTF_8), "exec", "-i", n, "wc", "-l");
            assertEquals("2", wc.ok().trimmed(), wc.toString());
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefused() {
        Cmd.Result stranger = dockerTls("stranger", null, "ps");
        assertNotEquals(0, stranger.exit(), stranger.toString());
        // no client certificate at all (curl trusts the server; the server demands a certificate)
        Cmd.Result anonymous = Cmd.run(List.of("curl", "-s", "--max-time", "20", "--cacert",
                tls.resolve("ca.pem").toString(), "https://127.0.0.1:" + port + "/_ping"), Map.of(), null,
                Duration.ofSeconds(30));
        assertNotEquals(0, anonymous.exit(), anonymous.toString());
        Cmd.Result withCert = Cmd.run(List.of("curl", "-s", "--max-time", "20", "--cacert",
                tls.resolve("ca.pem").toString(), "--cert", tls.resolve("client.pem").toString(), "--key",
                tls.resolve("client-key.pem").toString(), "https://127.0.0.1:" + port + "/_ping"), Map.of(), null,
                Duration.ofSeconds(30));
        assertEquals("OK", withCert.out(), withCert.toString());
        // plain HTTP on the TLS port gets nothing useful
        Cmd.Result plain = Cmd.run(List.of("curl", "-s", "--max-time", "10", "http://127.0.0.1:" + port + "/_ping"),
                Map.of(), null, Duration.ofSeconds(30));
        assertNotEquals("OK", plain.out());
    }

    @Test
    void tcpWithoutTlsIsRefusedBeforeAnythingStarts() throws IOException {
        Path root = Cmd.repoRoot();
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pouch-it-notls-");
        try {
            String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Cmd.Result r = Cmd.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    "io.pouch.daemon.Pouchd", "--home-dir", base.resolve("home").toString(), "--exec-root",
                    base.resolve("run").toString(), "--pidfile", base.resolve("pid").toString(), "--config-file",
                    base.resolve("none.json").toString(), "--listen", "tcp://127.0.0.1:" + port), Map.of(), null,
                    Duration.ofSeconds(60));
            assertNotEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("TCP listening requires TLS with client certificates"), r.toString());
            assertTrue(!Files.exists(base.resolve("run/containerd")), "no containerd was started");
        } finally {
            Cmd.run(List.of("rm", "-rf", base.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }
}
