package io.pouch.daemon.containerd;

import io.pouch.daemon.config.DaemonConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervised containerd across pouchd deaths: one left running is adopted even without its pid file, and one
 * that is alive but does not answer is replaced, never joined by a second containerd on the same root.
 */
@Tag("integration")
class ContainerdSupervisorIntegrationTest {
    private Path base;
    private final List<ContainerdSupervisor> supervisors = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/containerd")), "needs containerd");
        base = Files.createTempDirectory(Path.of("/tmp"), "sup-");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ContainerdSupervisor s : supervisors) {
            s.close();
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(base.toString()))
                .orElse(false)).forEach(ProcessHandle::destroyForcibly);
        new ProcessBuilder("rm", "-rf", base.toString()).start().waitFor();
    }

    private ContainerdSupervisor supervisor() {
        DaemonConfig cfg = new DaemonConfig(base.resolve("home"), base.resolve("run"), List.of(), null, "containerd",
                "sup-test", false, "json-file", Map.of(), "runc", "p0", null);
        ContainerdSupervisor s = new ContainerdSupervisor(cfg);
        s.adoptWait = Duration.ofSeconds(3);
        supervisors.add(s);
        return s;
    }

    private List<Long> containerdsOnOurConfig() {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("containerd --config " + base)).orElse(false)).map(ProcessHandle::pid).toList();
    }

    @Test
    void adoptedWithoutItsPidFileAndReplacedWhenWedged() throws Exception {
        ContainerdSupervisor first = supervisor();
        first.start();
        long pid = first.pid();
        first.abandon(); // pouchd killed: containerd runs on
        Files.delete(base.resolve("run/containerd/containerd.pid")); // ... and it died before writing the pid file

        ContainerdSupervisor second = supervisor();
        second.start();
        assertEquals(pid, second.pid(), "the running containerd is adopted");
        assertEquals(List.of(pid), containerdsOnOurConfig(), "no second containerd on the same root");
        assertEquals(Long.toString(pid), Files.readString(base.resolve("run/containerd/containerd.pid")));

        second.abandon();
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor(); // alive, but answers nothing
        ContainerdSupervisor third = supervisor();
        third.start();
        assertNotEquals(pid, third.pid(), "a containerd that does not answer is replaced");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "and the wedged one is gone");
        assertEquals(List.of(third.pid()), containerdsOnOurConfig());
        try (Containerd c = new Containerd(base.resolve("run/containerd/containerd.sock").toString(), "sup-test")) {
            assertTrue(c.ping(5000));
        }
    }
}
