package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry settings of a pouchd of this test's own, against registries and a forward proxy on loopback:
 * registry-mirrors (a docker.io name served by a loopback mirror), default-registry with
 * default-registry-namespace, the environment's HTTP(S) proxy (API requests to a registry named
 * {@code registry.test}, which the proxy maps to 127.0.0.1) and Pouch's image-proxy (blob downloads go through
 * it, manifests do not). The images are committed on the shared daemon (each has a small layer of its own, so
 * the private daemon, which has busybox already, downloads at least one blob) and pushed there.
 */
@Tag("e2e")
class RegistryConfigEndToEndTest {
    /** The ports of the registries and of the proxy: the OS picks them. */
    private static int originPort;
    private static int mirrorPort;
    private static int proxyPort;

    private static PouchdHarness shared;
    private static PouchdHarness p;
    private static ForwardProxy proxy;
    private static Path dir;
    private static final List<LocalRegistry> registries = new ArrayList<>();
    private static final List<String> pushed = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        shared = PouchdHarness.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-regcfg-it-");
        originPort = registry("origin");
        mirrorPort = registry("mirror");
        proxy = new ForwardProxy(Map.of("registry.test", "127.0.0.1"));
        proxyPort = proxy.port();
        commitAndPush("127.0.0.1:" + mirrorPort + "/library/mirrored:1", "mirrored");
        commitAndPush("127.0.0.1:" + originPort + "/pouchns/nsbox:1", "namespaced");
        commitAndPush("127.0.0.1:" + originPort + "/pouch/viaproxy:1", "proxied");
        String config = """
                {"registry-mirrors": ["http://127.0.0.1:%d"],
                 "default-registry": "127.0.0.1:%d", "default-registry-namespace": "pouchns",
                 "insecure-registries": ["registry.test:%d"],
                 "image-proxy": "http://127.0.0.1:%d"}
                """.formatted(mirrorPort, originPort, originPort, proxyPort);
        String proxyUrl = "http://127.0.0.1:" + proxyPort;
        p = PouchdHarness.startConfigured("pouch-it-regcfg-", "preg", config,
                Map.of("HTTP_PROXY", proxyUrl, "HTTPS_PROXY", proxyUrl, "http_proxy", proxyUrl, "https_proxy", proxyUrl,
                        "NO_PROXY", "", "no_proxy", ""));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (p != null) {
            for (String ref : List.of("mirrored:1", "nsbox:1", "registry.test:" + originPort + "/pouch/viaproxy:1")) {
                p.docker("rmi", "-f", ref);
            }
            p.close();
        }
        if (shared != null) {
            for (String ref : pushed) {
                shared.docker("rmi", "-f", ref);
            }
        }
        if (proxy != null) {
            proxy.close();
        }
        registries.forEach(LocalRegistry::close);
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    private static void commitAndPush(String ref, String word) {
        String name = "regcfg-" + word;
        shared.docker("rm", "-f", name);
        shared.docker("run", "--name", name, "busybox", "sh", "-c", "echo " + word + " > /word.txt").ok();
        shared.docker("commit", name, ref).ok();
        shared.docker("rm", "-f", name).ok();
        shared.docker("push", ref).ok();
        pushed.add(ref);
    }

    /** Starts a registry (its port picked by the OS) that the tear-down stops; returns its port. */
    private static int registry(String name) throws IOException {
        LocalRegistry r = new LocalRegistry(dir, name, "");
        registries.add(r);
        return r.port();
    }

    private static long count(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void aDockerIoNameIsServedByTheMirrorWithBlobsThroughTheImageProxy() {
        proxy.clear();
        // the docker CLI (28) sends the full name, docker.io/library/mirrored: docker.io, so the mirror
        Cmd.Result pull = p.docker("pull", "mirrored:1").ok();
        assertTrue(pull.out().contains("Status: Downloaded newer image for mirrored:1"), pull.toString());
        assertEquals("mirrored", p.docker("run", "--rm", "mirrored:1", "cat", "/word.txt").ok().trimmed());
        List<String> seen = proxy.requests();
        String mirror = "GET http://127.0.0.1:" + mirrorPort + "/v2/library/mirrored/";
        assertTrue(count(seen, mirror + "blobs/sha256:") >= 2, "config and layer blobs through the image-proxy: " + seen);
        assertEquals(0, count(seen, mirror + "manifests/"), "manifests go straight to the mirror: " + seen);
    }

    @Test
    void aOneComponentNameComesFromTheDefaultRegistryInItsNamespace() {
        proxy.clear();
        // the pouch CLI sends the name as written ("nsbox"); the docker CLI sends docker.io/library/nsbox, a name
        // with its registry and namespace given, which the default registry does not claim (dockerd has none)
        Cmd.Result pull = p.pouch("pull", "nsbox:1").ok();
        assertTrue(pull.out().contains("Status: Downloaded newer image for nsbox:1"), pull.toString());
        assertEquals("namespaced", p.docker("run", "--rm", "nsbox:1", "cat", "/word.txt").ok().trimmed());
        List<String> seen = proxy.requests();
        String origin = "GET http://127.0.0.1:" + originPort + "/v2/pouchns/nsbox/";
        assertTrue(count(seen, origin + "blobs/sha256:") >= 2, "blobs of pouchns/nsbox through the image-proxy: " + seen);
        assertEquals(0, count(seen, origin + "manifests/"), seen.toString());
        // a name with its namespace given keeps it: library/nsbox does not exist on the default registry
        Cmd.Result lib = p.pouch("pull", "library/nsbox:1");
        assertTrue(lib.exit() != 0, lib.toString());
        assertTrue((lib.out() + lib.err()).contains("not found"), lib.toString());
    }

    @Test
    void apiRequestsGoThroughTheEnvironmentsProxyAndBlobsThroughTheImageProxy() {
        proxy.clear();
        String ref = "registry.test:" + originPort + "/pouch/viaproxy:1";
        Cmd.Result pull = p.docker("pull", ref).ok();
        assertTrue(pull.out().contains("Status: Downloaded newer image for " + ref), pull.toString());
        assertEquals("proxied", p.docker("run", "--rm", ref, "cat", "/word.txt").ok().trimmed());
        List<String> seen = proxy.requests();
        String base = "GET http://registry.test:" + originPort + "/v2/";
        assertTrue(count(seen, base + "pouch/viaproxy/manifests/1") >= 1, "the manifest through HTTP_PROXY: " + seen);
        assertTrue(count(seen, base + "pouch/viaproxy/blobs/sha256:") >= 2, "blobs through the image-proxy: " + seen);
        // the registry is listed as insecure: HTTPS was tried first, through a CONNECT tunnel
        assertTrue(count(seen, "CONNECT registry.test:" + originPort) >= 1, seen.toString());
    }
}
