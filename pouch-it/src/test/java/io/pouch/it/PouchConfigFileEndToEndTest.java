package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pouchd started with Pouch's config.json and no other flag: every key of Pouch 1.3's file (its documented
 * {@code image-proxy} and {@code debug} example included, nested objects in Pouch's layout, paths in the test's
 * temp dir, ports free ones), and the effects of those this engine applies: the daemon's labels in
 * {@code docker info}, the containers' cgroup parent, pouchd's own oom_score_adj, and the manager whitelist over
 * TLS (two client certificates of one CA, one listed). lxcfs is off (its mount is the LXCFS tests' own);
 * {@code containerd} is left out because it would point the daemon at another containerd instead of
 * its own. A key whose value the engine cannot honour stops pouchd at start, naming it.
 */
@Tag("e2e")
class PouchConfigFileEndToEndTest {
    private static final String PARENT = "pouch-cfg-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private static PouchdHarness d;
    private static int port;
    private static Path tls;

    @BeforeAll
    static void daemon() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        d = PouchdHarness.startFromConfigFile("pouch-it-cfg-", "pcfg", base -> makeCertificates(base.resolve("tls")),
                PouchConfigFileEndToEndTest::config);
        tls = d.base().resolve("tls");
    }

    /** Every key of Pouch 1.3's daemon config (1.3.0's registry-service too), in Pouch's layout. */
    private static String config(PouchdHarness.Layout l) {
        Path b = l.base();
        String bip = l.subnet().cidr(1, 24);
        return """
                {
                  "image-proxy": "http://127.0.0.1:65001",
                  "debug": false,
                  "volume-config": {"volume-timeout": 0, "remove-volume": true, "volume-default-driver": "local",
                    "volume-meta-dir": "", "volume-driver-alias": ""},
                  "network-config": {"meta-path": "", "exec-root-dir": "", "dns": [], "dns-options": [],
                    "dns-search": [],
                    "bridge-config": {"disable-bridge": false, "bridge-name": "%2$s", "bip": "%3$s",
                      "fixed-cidr": "", "default-gateway": "%4$s", "enable-ipv6": false, "fixed-cidr-v6": "",
                      "default-gateway-v6": "", "preferred-ip": "", "mtu": 1500, "icc": true, "iptables": true,
                      "ipforward": true, "ipmasq": true, "userland-proxy": false}},
                  "enable-cri": true,
                  "cri-config": {"listen": "unix://%1$s/cri.sock", "network-plugin-bin-dir": "/opt/cni/bin",
                    "network-plugin-conf-dir": "%1$s/cni", "sandbox-image": "registry.k8s.io/pause:3.9",
                    "cri-version": "v1", "stream-server-port": "0", "stream-server-reuse-port": false,
                    "cri-stats-collect-period": 10, "enable-cri-stats-collect": false, "runtime-config-file": ""},
                  "listen": ["%5$s", "tcp://127.0.0.1:%6$d"],
                  "default-registry": "docker.io",
                  "default-registry-namespace": "library",
                  "home-dir": "%1$s/home",
                  "exec-root": "%1$s/run",
                  "containerd-path": "containerd",
                  "TLS": {"tlscacert": "%1$s/tls/ca.pem", "tlscert": "%1$s/tls/server.pem",
                    "tlskey": "%1$s/tls/server-key.pem", "tlsverify": true, "manager-whitelist": "manager,ops"},
                  "default-runtime": "runc",
                  "config-file": "%1$s/config.json",
                  "cgroup-parent": "%7$s",
                  "label": ["pouch.test=config-file", "zone=e2e"],
                  "enable-profiler": false,
                  "pidfile": "%1$s/pouchd.pid",
                  "default-log-config": {"Type": "json-file", "Config": {"max-size": "10m"}},
                  "registry-service": {"InsecureRegistryCIDRs": [], "IndexConfigs": {}},
                  "registry-mirrors": [],
                  "registry-certs-dir": "%1$s/certs.d",
                  "oom-score-adjust": 300,
                  "default-namespace": "pouch",
                  "snapshotter": "overlayfs",
                  "allow-multi-snapshotter": false,
                  "cgroup-driver": "cgroupfs",
                  "insecure-registries": [],
                  "enable-builder": false,
                  "enable-lxcfs": false,
                  "lxcfs": "/usr/bin/lxcfs",
                  "lxcfs-home": "/var/lib/lxcfs",
                  "quota-driver": "",
                  "add-runtime": {"runc-cfg": {"path": "/usr/bin/runc", "runtimeArgs": []}}
                }
                """.formatted(b, l.bridge(), bip, l.subnet().address(1), l.socket(), port, PARENT);
    }

    @AfterAll
    static void stop() {
        try {
            if (d != null) {
                d.close();
            }
        } finally {
            // the parent cgroup pouchd made in every hierarchy (its containers' own are gone with them)
            Cmd.run(List.of("bash", "-c", "for c in /sys/fs/cgroup/*/" + PARENT + " /sys/fs/cgroup/" + PARENT
                    + "; do [ -d \"$c\" ] && rmdir \"$c\"; done; true"), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    private static void makeCertificates(Path dir) {
        try {
            Files.createDirectories(dir);
            String script = """
                    set -e
                    cd "$1"
                    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
                    key ca-key.pem
                    openssl req -x509 -new -key ca-key.pem -subj "/CN=ca" -days 2 -out ca.pem
                    cert() { # name extensions
                      key "$1-key.pem"
                      openssl req -new -key "$1-key.pem" -subj "/CN=$1" -out "$1.csr"
                      printf '%s\\n' "$2" > "$1.ext"
                      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \\
                        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
                    }
                    cert server "subjectAltName=IP:127.0.0.1
                    extendedKeyUsage=serverAuth"
                    cert manager "extendedKeyUsage=clientAuth"
                    cert outsider "extendedKeyUsage=clientAuth"
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

    private static Cmd.Result curl(String client, String path) {
        return Cmd.run(List.of("curl", "-s", "--max-time", "20", "-w", "\n%{http_code}", "--cacert",
                tls.resolve("ca.pem").toString(), "--cert", tls.resolve(client + ".pem").toString(), "--key",
                tls.resolve(client + "-key.pem").toString(), "https://127.0.0.1:" + port + path), Map.of(), null,
                Duration.ofSeconds(30));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void labelsAreShownByDockerInfo() {
        assertEquals("[\"pouch.test=config-file\",\"zone=e2e\"]",
                d.docker("info", "--format", "{{json .Labels}}").ok().trimmed());
    }

    @Test
    void theAddedRuntimeIsListedAndRunsAContainer() {
        assertTrue(d.docker("info", "--format", "{{json .Runtimes}}").ok().trimmed().contains("\"runc-cfg\""));
        assertEquals("ok", d.docker("run", "--rm", "--runtime", "runc-cfg", "busybox", "echo", "ok").ok().trimmed());
    }

    @Test
    void containersGetTheDaemonsCgroupParentAndTheirOwnOomScore() {
        String n = "cfg-" + Long.toHexString(System.nanoTime());
        try {
            String id = d.docker("run", "-d", "--name", n, "busybox", "sleep", "300").ok().trimmed();
            assertEquals("/" + PARENT, d.docker("inspect", "--format", "{{.HostConfig.CgroupParent}}", n).ok()
                    .trimmed());
            String pid = d.docker("inspect", "--format", "{{.State.Pid}}", n).ok().trimmed();
            String cgroups = read(Path.of("/proc", pid, "cgroup"));
            assertTrue(cgroups.lines().anyMatch(l -> l.contains(":memory:/" + PARENT + "/" + id)), cgroups);
            // pouchd's score reaches its containerd, as dockerd's does, but not the containers
            assertEquals("0", read(Path.of("/proc", pid, "oom_score_adj")));
            // a container that names its own parent keeps it
            String own = d.docker("run", "--rm", "--cgroup-parent", "/" + PARENT + "-own", "busybox", "cat",
                    "/proc/self/cgroup").ok().out();
            assertTrue(own.contains(":memory:/" + PARENT + "-own/"), own);
        } finally {
            d.docker("rm", "-f", n);
            Cmd.run(List.of("bash", "-c", "for c in /sys/fs/cgroup/*/" + PARENT + "-own; do [ -d \"$c\" ] && rmdir"
                    + " \"$c\"; done; true"), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    /**
     * A positive score: a negative one (Pouch's default -500) needs CAP_SYS_RESOURCE, which test machines may lack;
     * pouchd then refuses to start with that reason rather than run with another score.
     */
    @Test
    void pouchdAndItsContainerdRunWithTheConfiguredOomScoreAdj() {
        String pouchd = read(d.base().resolve("pouchd.pid"));
        assertEquals("300", read(Path.of("/proc", pouchd, "oom_score_adj")));
        assertEquals("300", read(Path.of("/proc", Long.toString(d.containerdPid()), "oom_score_adj")));
    }

    @Test
    void onlyWhitelistedCertificatesAreServedOverTls() {
        Cmd.Result manager = curl("manager", "/_ping");
        assertEquals("OK\n200", manager.out(), manager.toString());
        Cmd.Result outsider = curl("outsider", "/_ping");
        assertTrue(outsider.out().endsWith("\n403"), outsider.toString());
        assertTrue(outsider.out().startsWith("{\"message\":\"tls verified error: the client certificate's common name"
                + " \\\"outsider\\\" is not in the manager whitelist\"}"), outsider.toString());
        // the unix socket is not subject to it
        assertEquals("OK\n200", d.curl("/_ping").out());
    }

    @Test
    void aKeyTheEngineCannotHonourStopsPouchdNamingIt() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "pouch-it-cfgno-");
        try {
            Map<String, String> cases = Map.of(
                    "{\"snapshotter\": \"btrfs\"}", "pouchd: cannot honour snapshotter \"btrfs\": overlayfs is the only"
                            + " snapshotter implemented",
                    "{\"network-config\": {\"bridge-config\": {\"enable-ipv6\": true}}}",
                    "pouchd: cannot honour enable-ipv6 true: IPv6 on the default bridge is not implemented",
                    "{\"enable-profiler\": true}", "pouchd: cannot honour enable-profiler true");
            Path root = Cmd.repoRoot();
            String cp = root.resolve("pouch-daemon/target/classes") + ":" + root.resolve("pouch-daemon/target/lib/*");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            for (Map.Entry<String, String> c : cases.entrySet()) {
                Files.writeString(base.resolve("config.json"), c.getKey());
                Cmd.Result r = Cmd.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                        "io.pouch.daemon.Pouchd", "--home-dir", base.resolve("home").toString(), "--exec-root",
                        base.resolve("run").toString(), "--listen", "unix://" + base.resolve("s.sock"), "--pidfile",
                        base.resolve("pid").toString(), "-D", "--config-file", base.resolve("config.json").toString()),
                        Map.of(), null, Duration.ofSeconds(60));
                assertNotEquals(0, r.exit(), r.toString());
                assertTrue(r.err().startsWith(c.getValue()), c.getKey() + " -> " + r);
                assertTrue(!Files.exists(base.resolve("home")), "nothing is created before the refusal");
            }
            // the same as flags, Pouch's names
            Files.writeString(base.resolve("config.json"), "{}");
            Cmd.Result r = Cmd.run(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                    "io.pouch.daemon.Pouchd", "--home-dir", base.resolve("home").toString(), "--exec-root",
                    base.resolve("run").toString(), "--listen", "unix://" + base.resolve("s.sock"), "--pidfile",
                    base.resolve("pid").toString(), "--config-file", base.resolve("config.json").toString(),
                    "--label", "zone=x", "--enable-profiler"), Map.of(), null, Duration.ofSeconds(60));
            assertNotEquals(0, r.exit(), r.toString());
            assertTrue(r.err().startsWith("pouchd: cannot honour enable-profiler true"), r.toString());
        } finally {
            Cmd.run(List.of("rm", "-rf", base.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }
}
