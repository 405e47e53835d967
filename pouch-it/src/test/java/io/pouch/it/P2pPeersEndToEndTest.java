package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real pouchds with their real P2P peers on loopback (token mode), the first also running the scheduler role,
 * and a docker-registry: the first pull of an image takes its new layer from the registry, the second pouchd's
 * pull of the same image takes it from the first pouchd, and both say so in the pull line and /metrics. Runs when
 * the P2P core is part of the build (skipped before).
 */
@Tag("e2e")
class P2pPeersEndToEndTest {
    private static final Pattern PULL_LINE = Pattern.compile("P2P: (\\S+ \\S+) from peers, (\\S+ \\S+) from the"
            + " registry");

    private static Path dir;
    private static LocalRegistry registry;
    private static PouchdHarness first;
    private static PouchdHarness second;

    /** Whether this build has the P2P peer: pouchd refuses --p2p-enable without it. */
    static boolean coreBuilt() {
        return Files.exists(Cmd.repoRoot().resolve("pouch-daemon/target/classes/io/pouch/daemon/p2p/P2pPeer.class"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY), "docker-registry is not installed");
        Assumptions.assumeTrue(coreBuilt(), "the P2P core is not part of this build");
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-p2ppeers-it-");
        registry = new LocalRegistry(dir, "peers", "");
        String scheduler = "127.0.0.1:" + freePort();
        String a = "127.0.0.1:" + freePort();
        String b = "127.0.0.1:" + freePort();
        first = PouchdHarness.startPrivate("pp2a", x -> { }, List.of("--p2p-enable", "--p2p-scheduler", scheduler,
                "--p2p-scheduler-listen", scheduler, "--p2p-listen", a, "--p2p-advertise", a, "--p2p-token", "t",
                "--p2p-piece-size", "64KiB"));
        second = PouchdHarness.startPrivate("pp2b", x -> { }, List.of("--p2p-enable", "--p2p-scheduler", scheduler,
                "--p2p-listen", b, "--p2p-advertise", b, "--p2p-token", "t", "--p2p-piece-size", "64KiB"));
    }

    @AfterAll
    static void tearDown() {
        for (PouchdHarness p : new PouchdHarness[]{first, second}) {
            if (p != null) {
                p.close();
            }
        }
        if (registry != null) {
            registry.close();
        }
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    private static long metric(PouchdHarness p, String source) {
        Matcher m = Pattern.compile("(?m)^pouch_p2p_bytes_total\\{source=\"" + source + "\"} (\\d+)$")
                .matcher(p.curl("/metrics").ok().out());
        assertTrue(m.find(), "pouch_p2p_bytes_total{source=\"" + source + "\"}");
        return Long.parseLong(m.group(1));
    }

    @Test
    void theSecondPouchdTakesTheLayerFromTheFirst() {
        String ref = registry.host() + "/peers/box:1";
        first.docker("run", "--name", "p2p-peers-src", "busybox", "sh", "-c",
                "head -c 3000000 /dev/urandom > /r.bin").ok();
        first.docker("commit", "p2p-peers-src", ref).ok();
        first.docker("rm", "-f", "p2p-peers-src").ok();
        String sum = first.docker("run", "--rm", ref, "md5sum", "/r.bin").ok().trimmed();
        first.docker("push", ref).ok();
        first.docker("rmi", "-f", ref).ok();

        long firstBefore = metric(first, "registry");
        Cmd.Result pullA = first.docker("pull", ref).ok();
        Matcher m = PULL_LINE.matcher(pullA.out());
        assertTrue(m.find(), pullA.toString());
        assertEquals("0 B", m.group(1), pullA.toString());
        long layer = metric(first, "registry") - firstBefore;
        assertTrue(layer > 3_000_000, "the random layer came from the registry: " + layer);

        long peersBefore = metric(second, "peers");
        long registryBefore = metric(second, "registry");
        Cmd.Result pullB = second.pouch("pull", ref).ok();
        m = PULL_LINE.matcher(pullB.out());
        assertTrue(m.find(), pullB.toString());
        assertEquals("0 B", m.group(2), "nothing from the registry: " + pullB);
        assertEquals(layer, metric(second, "peers") - peersBefore);
        assertEquals(0, metric(second, "registry") - registryBefore);
        assertEquals(sum, second.docker("run", "--rm", ref, "md5sum", "/r.bin").ok().trimmed());
        assertTrue(second.docker("info").ok().out().contains(" P2P: "), "docker info has the P2P totals");
    }

    @Test
    void aPrivateImageIsSharedOnlyWithAHostThatFetchedItsManifestWithItsOwnCredentials() throws Exception {
        Cmd.run(List.of("htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), "tester", "s3cret"), Map.of(), null,
                Duration.ofSeconds(30)).ok();
        try (LocalRegistry secured = new LocalRegistry(dir, "secured", "auth:\n  htpasswd:\n    realm: p2p-test\n"
                + "    path: " + dir.resolve("htpasswd") + "\n")) {
            String ref = secured.host() + "/private/box:1";
            first.docker("run", "--name", "p2p-private-src", "busybox", "sh", "-c",
                    "head -c 2000000 /dev/urandom > /p.bin").ok();
            first.docker("commit", "p2p-private-src", ref).ok();
            first.docker("rm", "-f", "p2p-private-src").ok();
            String sum = first.docker("run", "--rm", ref, "md5sum", "/p.bin").ok().trimmed();
            first.docker("login", "-u", "tester", "-p", "s3cret", secured.host()).ok();
            first.docker("push", ref).ok();
            first.docker("rmi", "-f", ref).ok();
            long fromRegistry = metric(first, "registry");
            first.docker("pull", ref).ok();
            long layer = metric(first, "registry") - fromRegistry;
            assertTrue(layer > 2_000_000, "the private layer came from the registry with the first host's login: "
                    + layer);

            // the first host's peer holds the layer, but a host without credentials gets no manifest, so no pull
            Cmd.Result refused = second.docker("pull", ref);
            assertTrue(refused.exit() != 0, refused.toString());
            assertTrue(refused.err().contains("no basic auth credentials") || refused.err().contains("unauthorized")
                    || refused.err().contains("authentication required"), refused.toString());
            assertTrue(second.docker("images", "-q", ref).ok().trimmed().isEmpty(), "nothing stored");

            // with its own login the second host fetches the manifest itself and takes the layer from the first
            long peers = metric(second, "peers");
            long registryBefore = metric(second, "registry");
            second.docker("login", "-u", "tester", "-p", "s3cret", secured.host()).ok();
            Cmd.Result pulled = second.docker("pull", ref).ok();
            assertTrue(PULL_LINE.matcher(pulled.out()).find(), pulled.toString());
            assertEquals(layer, metric(second, "peers") - peers, pulled.toString());
            assertEquals(0, metric(second, "registry") - registryBefore, pulled.toString());
            assertEquals(sum, second.docker("run", "--rm", ref, "md5sum", "/p.bin").ok().trimmed());
        }
    }
}
