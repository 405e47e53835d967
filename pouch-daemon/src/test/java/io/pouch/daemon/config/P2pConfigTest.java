package io.pouch.daemon.config;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json's "p2p" object and the --p2p-* flags: defaults, sizes, and every refusal naming the setting. */
class P2pConfigTest {
    @TempDir
    Path dir;
    private Path ca;
    private Path cert;
    private Path key;

    @BeforeEach
    void files() throws Exception {
        ca = Files.writeString(dir.resolve("ca.pem"), "ca");
        cert = Files.writeString(dir.resolve("cert.pem"), "cert");
        key = Files.writeString(dir.resolve("key.pem"), "key");
    }

    private Path file(String json) throws Exception {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    private P2pConfig flags(Map<String, Object> flags) {
        return ConfigLoader.loadP2p(flags, dir.resolve("missing.json"));
    }

    private String refusal(Map<String, Object> flags) {
        return assertThrows(PouchException.class, () -> flags(flags)).getMessage();
    }

    private static Map<String, Object> tokenPeer(Object... more) {
        Map<String, Object> m = new HashMap<>(Map.of("enable", true, "scheduler", "10.1.0.1:65001", "token", "s3cret"));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void offUnlessEnabledWithDefaultsFromTheContract() throws Exception {
        P2pConfig off = flags(Map.of());
        assertFalse(off.enabled());
        assertEquals(P2pConfig.disabled(), off);
        assertEquals(4 << 20, off.pieceSize());
        assertEquals(P2pConfig.disabled(), ConfigLoader.loadP2p(Map.of(), file("{\"debug\": true}")));
        // an operator may switch P2P off and keep its settings in the file
        assertFalse(ConfigLoader.loadP2p(Map.of(), file("{\"p2p\": {\"enable\": false, \"scheduler\": \"s:1\"}}"))
                .enabled());
    }

    @Test
    void theFilesObjectWithSizesInUnits() throws Exception {
        P2pConfig c = ConfigLoader.loadP2p(Map.of(), file("""
                {"p2p": {"enable": true, "scheduler": "10.1.0.1:65001", "listen": "0.0.0.0:65002",
                 "advertise": "10.1.0.5:65002", "ca-file": "%s", "cert-file": "%s", "key-file": "%s",
                 "piece-size": "4MiB", "upload-rate-limit": "100MiB", "max-parents": 4}}
                """.formatted(ca, cert, key)));
        assertEquals(new P2pConfig(true, "10.1.0.1:65001", null, "0.0.0.0:65002", "10.1.0.5:65002", ca, cert, key,
                null, 4 << 20, 100L << 20, 4), c);
    }

    @Test
    void theFlagsKeyedLikeTheFile() {
        P2pConfig c = flags(tokenPeer("piece-size", "1m", "upload-rate-limit", "0", "max-parents", 8,
                "scheduler-listen", "0.0.0.0:65001", "listen", "[::]:7000"));
        assertEquals(new P2pConfig(true, "10.1.0.1:65001", "0.0.0.0:65001", "[::]:7000", null, null, null, null,
                "s3cret", 1 << 20, 0, 8), c);
    }

    @Test
    void aSettingGivenAsFlagAndInTheFileIsRefusedNamingBoth() throws Exception {
        Path f = file("{\"p2p\": {\"enable\": true, \"scheduler\": \"a:1\", \"token\": \"t\"}}");
        String m = assertThrows(PouchException.class, () -> ConfigLoader.loadP2p(Map.of("scheduler", "b:2"), f))
                .getMessage();
        assertTrue(m.contains("--p2p-scheduler") && m.contains("\"scheduler\""), m);
    }

    @Test
    void unknownKeysAndShapesInTheFileAreRefused() throws Exception {
        String m = assertThrows(PouchException.class, () -> ConfigLoader.loadP2p(Map.of(),
                file("{\"p2p\": {\"enabled\": true}}"))).getMessage();
        assertTrue(m.contains("unknown key \"enabled\" in \"p2p\""), m);
        m = assertThrows(PouchException.class, () -> ConfigLoader.loadP2p(Map.of(), file("{\"p2p\": true}")))
                .getMessage();
        assertTrue(m.contains("\"p2p\"") && m.contains("must be an object"), m);
    }

    @Test
    void badValuesNameTheFlagAndTheKey() {
        assertTrue(refusal(tokenPeer("piece-size", "lots")).startsWith("invalid --p2p-piece-size (\"p2p\":"
                + " {\"piece-size\"}) lots"));
        assertTrue(refusal(tokenPeer("piece-size", "1k")).contains("between 64KiB and 64MiB"));
        assertTrue(refusal(tokenPeer("piece-size", "1g")).contains("between 64KiB and 64MiB"));
        assertTrue(refusal(tokenPeer("upload-rate-limit", "-1")).contains("--p2p-upload-rate-limit"));
        assertTrue(refusal(tokenPeer("max-parents", 0)).contains("--p2p-max-parents"));
        assertTrue(refusal(tokenPeer("max-parents", "many")).contains("--p2p-max-parents"));
        assertTrue(refusal(tokenPeer("enable", "yes")).contains("--p2p-enable"));
        for (String bad : new String[]{"nohost", ":65001", "host:", "host:0", "host:70000", "::1:5", "a b:1"}) {
            String m = refusal(tokenPeer("scheduler", bad));
            assertTrue(m.startsWith("invalid --p2p-scheduler ") && m.contains("host:port"), m);
        }
        assertTrue(refusal(tokenPeer("advertise", "x")).contains("--p2p-advertise"));
        assertTrue(refusal(tokenPeer("listen", "x")).contains("--p2p-listen"));
        assertTrue(refusal(tokenPeer("scheduler-listen", "x")).contains("--p2p-scheduler-listen"));
        assertTrue(refusal(tokenPeer("token", " ")).contains("--p2p-token"));
    }

    @Test
    void enabledWithoutASchedulerIsRefused() {
        Map<String, Object> m = tokenPeer();
        m.remove("scheduler");
        assertTrue(refusal(m).startsWith("P2P is enabled without a scheduler: give --p2p-scheduler"), refusal(m));
    }

    @Test
    void settingsWithoutEnableAreRefusedNotIgnored() {
        String m = refusal(Map.of("scheduler", "10.1.0.1:65001"));
        assertTrue(m.contains("--p2p-scheduler") && m.contains("P2P is not enabled") && m.contains("--p2p-enable"), m);
    }

    @Test
    void authIsMutualTlsOrATokenExactlyOne() {
        Map<String, Object> none = tokenPeer();
        none.remove("token");
        String m = refusal(none);
        assertTrue(m.contains("--p2p-ca") && m.contains("--p2p-token"), m);
        Map<String, Object> partial = tokenPeer("ca-file", ca.toString(), "cert-file", cert.toString());
        partial.remove("token");
        m = refusal(partial);
        assertTrue(m.contains("needs all three") && m.contains("--p2p-key"), m);
        m = refusal(tokenPeer("ca-file", ca.toString(), "cert-file", cert.toString(), "key-file", key.toString()));
        assertTrue(m.contains("either mutual TLS") && m.contains("--p2p-token"), m);
        // the scheduler role alone needs its peers authenticated too
        m = refusal(Map.of("scheduler-listen", "0.0.0.0:65001"));
        assertTrue(m.contains("authenticated"), m);
        Map<String, Object> tls = tokenPeer("ca-file", ca.toString(), "cert-file", cert.toString(), "key-file",
                key.toString());
        tls.remove("token");
        assertEquals(key, flags(tls).keyFile());
    }

    @Test
    void certificateFilesMustBeReadable() throws Exception {
        Map<String, Object> m = tokenPeer("ca-file", dir.resolve("nope.pem").toString(), "cert-file",
                cert.toString(), "key-file", key.toString());
        m.remove("token");
        String msg = refusal(m);
        assertTrue(msg.startsWith("cannot read --p2p-ca") && msg.contains("no such file"), msg);
        m.put("ca-file", dir.toString());
        assertTrue(refusal(m).contains("not a readable file"));
        if (!"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("---------"));
            m.put("ca-file", ca.toString());
            assertTrue(refusal(m).startsWith("cannot read --p2p-key"));
        }
    }
}
