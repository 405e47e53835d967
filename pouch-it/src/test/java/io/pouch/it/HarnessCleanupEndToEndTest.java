package io.pouch.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A test that fails while its pouchd is down (after {@code killDaemon9}) must not leave the daemon's containerd,
 * shims, containers, FIFO keepers, bridge or directory behind: the harness's close brings pouchd back to remove
 * them.
 */
@Tag("e2e")
class HarnessCleanupEndToEndTest {
    @Test
    void closingAfterAKillNineLeavesNothing() {
        PouchdHarness d = PouchdHarness.startPrivate("phc", base -> { }, List.of());
        d.docker("run", "-d", "--name", "hc-sleeper", "busybox", "sleep", "1000").ok();
        String base = d.base().toString();
        String bridge = d.bridge();
        d.killDaemon9();
        d.close();
        assertFalse(Files.exists(d.base()), base);
        assertEquals(List.of(), ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(base + "/"))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList());
        assertEquals("", Cmd.run(List.of("ip", "-br", "link", "show", bridge), Map.of(), null, Duration.ofSeconds(5))
                .out().strip(), "bridge " + bridge);
    }
}
