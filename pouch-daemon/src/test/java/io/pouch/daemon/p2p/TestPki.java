package io.pouch.daemon.p2p;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A throwaway cluster CA and certificates made with openssl at test time (EC P-256, PKCS#8 keys). */
final class TestPki {
    record Party(Path cert, Path key) {
    }

    private final Path dir;
    final Path caCert;
    private final Path caKey;

    private TestPki(Path dir, String name) throws IOException, InterruptedException {
        this.dir = dir;
        this.caCert = dir.resolve(name + "-ca.pem");
        this.caKey = dir.resolve(name + "-ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "1", "-subj", "/CN=" + name + "-ca");
    }

    static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        return new TestPki(dir, name);
    }

    /** A certificate the CA signed (usable as server and client). */
    Party issue(String cn) throws IOException, InterruptedException {
        Path key = dir.resolve(cn + ".key");
        Path csr = dir.resolve(cn + ".csr");
        Path cert = dir.resolve(cn + ".pem");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "1");
        return new Party(cert, key);
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
