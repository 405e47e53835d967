package io.pouch.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A field the engine knows but cannot apply is refused at create, through the real docker CLI, with the CLI's
 * exit code for a daemon error and a message naming the field, and nothing is left behind.
 */
@Tag("e2e")
class FieldRefusalEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    @Test
    void anIsolationLinuxCannotGiveIsRefusedByNameAndCreatesNothing() {
        String n = "refused-" + UUID.randomUUID().toString().substring(0, 8);
        Cmd.Result r = d.docker("run", "--name", n, "--isolation", "hyperv", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("HostConfig.Isolation \"hyperv\": linux only supports the default isolation"),
                r.err());
        assertEquals("", d.docker("ps", "-aq", "--filter", "name=" + n).ok().trimmed());
    }

    @Test
    void pouchsOwnFieldsNotProvidedYetAreRefusedByName() {
        String n = "refused-" + UUID.randomUUID().toString().substring(0, 8);
        Cmd.Result r = d.curl("/v1.47/containers/create?name=" + n, "-X", "POST", "-H",
                "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"ScheLatSwitch\":1}}");
        assertTrue(r.out().endsWith("\n400"), r.toString());
        assertTrue(r.out().contains("HostConfig.ScheLatSwitch 1: is one of Pouch's own options"), r.out());
        assertEquals("", d.docker("ps", "-aq", "--filter", "name=" + n).ok().trimmed());
    }
}
