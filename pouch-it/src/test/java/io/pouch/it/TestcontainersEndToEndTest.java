package io.pouch.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Testcontainers (with the docker-java inside it) against pouchd, unchanged, as a user's test suite would run it;
 * and the docker CLI doing what it does.
 */
@Tag("e2e")
class TestcontainersEndToEndTest {
    @Test
    void genericContainerLifecycle() {
        PouchdHarness d = PouchdHarness.shared();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Cmd.Result r = Cmd.run(List.of(java, "-cp", System.getProperty("java.class.path"),
                        SdkProbe.class.getName()),
                Map.of("DOCKER_HOST", d.host(), "TESTCONTAINERS_RYUK_DISABLED", "true",
                        // no ~/.testcontainers.properties of the machine's user leaks in
                        "HOME", d.base().toString()),
                null, Duration.ofSeconds(180));
        assertEquals(0, r.exit(), r.toString());
        String out = r.out();
        assertTrue(out.contains("http 200 hi from pouchd"), r.toString());
        assertTrue(out.contains("exec 3 hi from pouchd to-err"), r.toString());
        assertTrue(out.contains("copy copied in"), r.toString());
        assertTrue(out.contains("copy-back copied in"), r.toString());
        assertTrue(out.contains("logs ready"), r.toString());
        String id = out.lines().filter(l -> l.startsWith("started ")).findFirst().orElseThrow().substring(8);
        assertTrue(d.docker("inspect", id).exit() != 0, "Testcontainers removed its container");
    }

    /** What Testcontainers' copyFileToContainer sends (a PUT of the archive at "/") through the docker CLI. */
    @Test
    void dockerCpIntoTheRootDirectoryOfARunningContainer() throws Exception {
        PouchdHarness d = PouchdHarness.shared();
        String n = "cproot-" + Long.toHexString(System.nanoTime());
        Path f = Files.createTempFile("cp-root", ".txt");
        try {
            Files.writeString(f, "at the root\n");
            d.docker("run", "-d", "--name", n, "busybox", "sleep", "100").ok();
            d.docker("cp", f.toString(), n + ":/").ok();
            assertEquals("at the root", d.docker("exec", n, "cat", "/" + f.getFileName()).ok().trimmed());
            // and the way back: the archive of / holds the file just copied in
            Cmd.Result tar = Cmd.run(List.of("sh", "-c", "docker -H " + d.host() + " cp " + n + ":/ - | tar -t"),
                    Map.of("DOCKER_CONFIG", d.base().resolve("docker-config").toString()), null,
                    Duration.ofSeconds(60));
            assertTrue(tar.out().lines().anyMatch(l -> l.equals(f.getFileName().toString())
                    || l.equals("./" + f.getFileName())), tar.toString());
            // the container's own files are all there, its /proc and /sys are empty directories (as dockerd's)
            assertTrue(tar.out().lines().anyMatch(l -> l.equals("./bin/busybox")), tar.toString());
            assertTrue(tar.out().lines().anyMatch(l -> l.equals("./proc/")), tar.toString());
            assertTrue(tar.out().lines().noneMatch(l -> l.startsWith("./proc/") && !l.equals("./proc/")
                    || l.startsWith("./sys/") && !l.equals("./sys/")), tar.toString());
        } finally {
            d.docker("rm", "-f", n);
            Files.deleteIfExists(f);
        }
    }
}
