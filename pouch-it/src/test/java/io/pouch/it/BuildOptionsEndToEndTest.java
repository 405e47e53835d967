package io.pouch.it;

import io.pouch.testing.HostNetworks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build options through the docker CLI's classic builder ({@code DOCKER_BUILDKIT=0}): base images pulled
 * from a loopback registry when absent or with {@code --pull}, and the RUN containers' host settings
 * ({@code --network}, {@code --add-host}, {@code --memory}, {@code --shm-size}) applied as {@code docker run} does.
 */
@Tag("e2e")
class BuildOptionsEndToEndTest {
    private static PouchdHarness d;
    private static Path dir;
    private static LocalRegistry registry;
    private static final List<String> images = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        d = PouchdHarness.shared();
        dir = Files.createTempDirectory(Path.of("/tmp"), "pouch-bopts-it-");
    }

    @AfterAll
    static void tearDown() {
        for (String i : images) {
            d.docker("rmi", "-f", i);
        }
        if (registry != null) {
            registry.close();
        }
        if (dir != null) {
            Cmd.run(List.of("rm", "-rf", dir.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    private static String remember(String image) {
        images.add(image);
        return image;
    }

    private static synchronized LocalRegistry registry() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        if (registry == null) {
            registry = new LocalRegistry(dir, "bopts", "");
        }
        return registry;
    }

    private static Cmd.Result build(String dockerfile, String... args) throws Exception {
        return d.classicBuild(d.buildContext(Map.of("Dockerfile", dockerfile)), args);
    }

    private static boolean present(String image) {
        return d.docker("image", "inspect", image).exit() == 0;
    }

    @Test
    void aBaseImageNotPresentIsPulledFromTheRegistry() throws Exception {
        String ref = remember(registry().host() + "/bopts/absent-" + UUID.randomUUID().toString().substring(0, 8)
                + ":1");
        d.docker("tag", "busybox", ref).ok();
        d.docker("push", ref).ok();
        d.docker("rmi", ref).ok();
        assertFalse(present(ref));

        Cmd.Result r = build("FROM " + ref + "\nRUN echo pulled-base-ran\n", "--no-cache");
        r.ok();
        assertTrue(r.out().contains("Pulling from bopts/"), r.out());
        assertTrue(r.out().contains("pulled-base-ran"), r.out());
        assertTrue(present(ref), "the base image is stored after the build");

        // COPY --from an image not present is pulled the same way
        d.docker("rmi", ref).ok();
        Cmd.Result c = build("FROM busybox\nCOPY --from=" + ref + " /bin/busybox /copied\n"
                + "RUN test -x /copied && echo copy-from-pulled\n", "--no-cache");
        c.ok();
        assertTrue(c.out().contains("Pulling from bopts/"), c.out());
        assertTrue(c.out().contains("copy-from-pulled"), c.out());
    }

    @Test
    void aPrivateBaseIsPulledWithTheCredentialsOfXRegistryConfig() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY), "docker-registry is not installed");
        Cmd.run(List.of("htpasswd", "-Bbc", dir.resolve("htpasswd").toString(), "builder", "s3cret"), Map.of(), null,
                Duration.ofSeconds(30)).ok();
        try (LocalRegistry basic = new LocalRegistry(dir, "bopts-basic", "auth:\n  htpasswd:\n    realm: bopts\n"
                + "    path: " + dir.resolve("htpasswd") + "\n")) {
            String host = basic.host();
            String ref = remember(host + "/bopts/private:1");
            String file = "FROM " + ref + "\nRUN echo private-base-ran\n";
            try {
                d.docker("login", "-u", "builder", "-p", "s3cret", host).ok();
                d.docker("tag", "busybox", ref).ok();
                d.docker("push", ref).ok();
                d.docker("rmi", ref).ok();
                // the CLI sends its stored credentials in X-Registry-Config
                Cmd.Result r = build(file, "--no-cache");
                r.ok();
                assertTrue(r.out().contains("Pulling from bopts/private"), r.out());
                assertTrue(r.out().contains("private-base-ran"), r.out());
            } finally {
                d.docker("logout", host);
            }
            d.docker("rmi", ref).ok();
            Cmd.Result anon = build(file, "--no-cache");
            assertTrue(anon.exit() != 0, anon.out());
            assertTrue(anon.err().contains(host), anon.err());
        }
    }

    @Test
    void pullFetchesANewerBaseEvenWhenOneIsPresent() throws Exception {
        String ref = remember(registry().host() + "/bopts/newer-" + UUID.randomUUID().toString().substring(0, 8)
                + ":1");
        // the registry's image has /marker; the local image of the same name does not
        build("FROM busybox\nRUN touch /marker\n", "-t", ref).ok();
        d.docker("push", ref).ok();
        d.docker("tag", "busybox", ref).ok();

        Cmd.Result local = build("FROM " + ref + "\nRUN test ! -e /marker && echo used-local\n", "--no-cache");
        local.ok();
        assertFalse(local.out().contains("Pulling from"), local.out());
        assertTrue(local.out().contains("used-local"), local.out());

        Cmd.Result pulled = build("FROM " + ref + "\nRUN test -e /marker && echo used-pulled\n", "--pull",
                "--no-cache");
        pulled.ok();
        assertTrue(pulled.out().contains("Pulling from bopts/"), pulled.out());
        assertTrue(pulled.out().contains("used-pulled"), pulled.out());

        // the pouch CLI's --pull does the same
        d.docker("tag", "busybox", ref).ok();
        Path ctx = d.buildContext(Map.of("Dockerfile", "FROM " + ref + "\nRUN test -e /marker && echo pouch-pulled\n"));
        Cmd.Result pouch = d.pouch("build", "--pull", "--no-cache", ctx.toString());
        pouch.ok();
        assertTrue(pouch.out().contains("pouch-pulled"), pouch.out());
    }

    @Test
    void proxyBuildArgsReachRunWithoutAnArgLineAndStayOutOfHistoryAndCacheKey() throws Exception {
        String tag = remember("bopts-proxy-" + UUID.randomUUID().toString().substring(0, 8));
        // only an environment value: nothing is ever sent to this address
        String dockerfile = "FROM busybox\nRUN echo \"proxy=$HTTP_PROXY no=$no_proxy\" > /proxy\n";
        Cmd.Result r = build(dockerfile, "-t", tag, "--build-arg", "HTTP_PROXY=http://10.0.0.1:3128",
                "--build-arg", "no_proxy=localhost");
        r.ok();
        assertFalse(r.out().contains("were not consumed"), r.out());
        assertEquals("proxy=http://10.0.0.1:3128 no=localhost", d.docker("run", "--rm", tag, "cat", "/proxy")
                .ok().trimmed());
        String history = d.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag).ok().out();
        assertFalse(history.contains("10.0.0.1"), history);

        Cmd.Result again = build(dockerfile, "-t", tag, "--build-arg", "HTTP_PROXY=http://10.0.0.2:3128");
        again.ok();
        assertTrue(again.out().contains("Using cache"), "another proxy is not another step: " + again.out());
    }

    @Test
    void aBaseImageNowhereFailsTheBuildNamingIt() throws Exception {
        String ref = registry().host() + "/bopts/nowhere:1";
        Cmd.Result r = build("FROM " + ref + "\n");
        assertTrue(r.exit() != 0, r.out());
        assertTrue(r.err().contains("nowhere"), r.err());
    }

    @Test
    void networkNoneLeavesRunOnlyTheLoopback() throws Exception {
        Cmd.Result r = build("FROM busybox\nRUN echo NETS=$(ls /sys/class/net | tr '\\n' ' ')\n", "--network", "none",
                "--no-cache");
        r.ok();
        assertTrue(r.out().contains("NETS=lo \n") || r.out().contains("NETS=lo\n"), r.out());
        Cmd.Result bridged = build("FROM busybox\nRUN echo NETS=$(ls /sys/class/net | tr '\\n' ' ')\n", "--no-cache");
        bridged.ok();
        assertTrue(bridged.out().contains("eth0"), bridged.out());
    }

    @Test
    void aNamedNetworkGivesRunAnAddressOnIt() throws Exception {
        String net = "bopts-" + Long.toHexString(System.nanoTime());
        HostNetworks.Subnet subnet = HostNetworks.reserveSubnet();
        try {
            d.docker("network", "create", "--subnet", subnet.cidr(), net).ok();
            Cmd.Result r = build("FROM busybox\nRUN echo ADDR=$(ip -o -4 addr show eth0 | awk '{print $4}')\n",
                    "--network", net, "--no-cache");
            r.ok();
            assertTrue(r.out().contains("ADDR=" + subnet.prefix()), r.out());
        } finally {
            d.docker("network", "rm", net);
        }
    }

    @Test
    void addHostIsInRunsEtcHosts() throws Exception {
        Cmd.Result r = build("FROM busybox\nRUN grep bopts.example /etc/hosts\n", "--add-host",
                "bopts.example:10.1.2.3", "--no-cache");
        r.ok();
        assertTrue(r.out().contains("10.1.2.3\tbopts.example"), r.out());
    }

    @Test
    void memoryAndShmSizeAreTheRunContainersLimits() throws Exception {
        Cmd.Result r = build("FROM busybox\nRUN echo MEM=$(cat /sys/fs/cgroup/memory.max 2>/dev/null"
                + " || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) && echo SHM=$(df -k /dev/shm | tail -1"
                + " | awk '{print $2}')\n", "--memory", "64m", "--shm-size", "32m", "--no-cache");
        r.ok();
        assertTrue(r.out().contains("MEM=67108864"), r.out());
        assertTrue(r.out().contains("SHM=32768"), r.out());
    }

    @Test
    void aBadRunSettingIsA400NamingTheParameter() {
        for (String q : List.of("memory=lots", "shmsize=-5", "ulimits=notjson", "extrahosts=nocolon")) {
            Cmd.Result r = d.curl("/build?" + q, "-XPOST", "-H", "Content-Type: application/x-tar",
                    "--data-binary", "@/dev/null");
            List<String> lines = r.out().lines().toList();
            assertEquals("400", lines.getLast(), q + ": " + r.out());
            String param = q.substring(0, q.indexOf('='));
            assertTrue(r.out().contains(param), q + ": " + r.out());
        }
    }
}
