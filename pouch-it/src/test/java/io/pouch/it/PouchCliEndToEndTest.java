package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pouch CLI against pouchd: Pouch's own commands and output. */
@Tag("e2e")
class PouchCliEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void runRmEcho() {
        Cmd.Result r = d.pouch("run", "--rm", "busybox", "echo", "hello from pouch");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello from pouch", r.trimmed());
    }

    @Test
    void runExitCodeIsTheContainers() {
        assertEquals(5, d.pouch("run", "--rm", "busybox", "sh", "-c", "exit 5").exit());
    }

    @Test
    void detachedPsInspectLogsStopRm() {
        String n = name("pcli");
        String id = d.pouch("run", "-d", "--name", n, "busybox", "sh", "-c", "echo ready; sleep 300").ok().trimmed();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        String ps = d.pouch("ps").ok().out();
        assertTrue(ps.contains(n), ps);
        assertEquals("running", d.pouch("inspect", "-f", "{{.State.Status}}", n).ok().trimmed());
        Await.until(Duration.ofSeconds(5), () -> d.pouch("logs", n).out(), logs -> logs.contains("ready"),
                "\"ready\" in the logs of " + n);
        d.pouch("stop", "-t", "1", n).ok();
        assertEquals("exited", d.pouch("inspect", "-f", "{{.State.Status}}", n).ok().trimmed());
        d.pouch("rm", n).ok();
        Cmd.Result gone = d.pouch("inspect", n);
        assertNotEquals(0, gone.exit());
    }

    @Test
    void imagesListsTheEmbeddedBusybox() {
        String out = d.pouch("images").ok().out();
        assertTrue(out.contains("busybox"), out);
        assertTrue(d.pouch("images", "-q").ok().trimmed().length() >= 12);
    }

    @Test
    void unknownContainerIsAnErrorNotACrash() {
        Cmd.Result r = d.pouch("stop", "no-such-container-abc");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No such container"), r.toString());
    }

    @Test
    void badFlagIsRefused() {
        Cmd.Result r = d.pouch("run", "--no-such-flag", "busybox");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().toLowerCase().contains("unknown option") || r.err().toLowerCase().contains("no-such-flag"),
                r.toString());
    }
}
