package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig.RestartPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestartPoliciesTest {
    private static RestartPolicy p(String name, int max) {
        return new RestartPolicy(name, max);
    }

    @Test
    void decisionsPerPolicy() {
        assertFalse(RestartPolicies.shouldRestart(p("no", 0), 1, 0, false));
        assertTrue(RestartPolicies.shouldRestart(p("always", 0), 0, 50, false));
        assertTrue(RestartPolicies.shouldRestart(p("unless-stopped", 0), 0, 0, false));
        assertTrue(RestartPolicies.shouldRestart(p("on-failure", 0), 1, 1000, false));
        assertFalse(RestartPolicies.shouldRestart(p("on-failure", 0), 0, 0, false));
        assertTrue(RestartPolicies.shouldRestart(p("on-failure", 3), 2, 2, false));
        assertFalse(RestartPolicies.shouldRestart(p("on-failure", 3), 2, 3, false));
    }

    @Test
    void manualStopIsNeverUndoneAtExit() {
        for (String n : new String[] {"always", "unless-stopped", "on-failure"}) {
            assertFalse(RestartPolicies.shouldRestart(p(n, 0), 137, 0, true), n);
        }
    }

    @Test
    void daemonStartBringsBackAlwaysEvenWhenStoppedButNotUnlessStopped() {
        assertTrue(RestartPolicies.restartAtDaemonStart(p("always", 0), 0, 0, true));
        assertFalse(RestartPolicies.restartAtDaemonStart(p("unless-stopped", 0), 0, 0, true));
        assertTrue(RestartPolicies.restartAtDaemonStart(p("unless-stopped", 0), 255, 0, false));
        assertTrue(RestartPolicies.restartAtDaemonStart(p("on-failure", 2), 255, 1, false));
        assertFalse(RestartPolicies.restartAtDaemonStart(p("on-failure", 2), 255, 2, false));
        assertFalse(RestartPolicies.restartAtDaemonStart(p("no", 0), 255, 0, false));
    }

    @Test
    void backoffDoublesFromHundredMillisAndResetsAfterTenSeconds() {
        Duration short1 = Duration.ofMillis(50);
        Duration d = RestartPolicies.nextDelay(null, short1);
        assertEquals(100, d.toMillis());
        d = RestartPolicies.nextDelay(d, short1);
        assertEquals(200, d.toMillis());
        d = RestartPolicies.nextDelay(d, short1);
        assertEquals(400, d.toMillis());
        assertEquals(100, RestartPolicies.nextDelay(d, Duration.ofSeconds(10)).toMillis());
        Duration big = Duration.ofSeconds(40);
        assertEquals(60, RestartPolicies.nextDelay(big, short1).toSeconds());
        assertEquals(60, RestartPolicies.nextDelay(Duration.ofMinutes(1), short1).toSeconds());
    }

    @Test
    void validationUsesDockersMessages() {
        assertEquals("invalid restart policy: maximum retry count cannot be negative",
                assertThrows(PouchException.class, () -> RestartPolicies.validate(p("on-failure", -1), false))
                        .getMessage());
        assertEquals("invalid restart policy: maximum retry count can only be used with 'on-failure'",
                assertThrows(PouchException.class, () -> RestartPolicies.validate(p("always", 3), false))
                        .getMessage());
        assertEquals("Conflicting options: --restart and --rm",
                assertThrows(PouchException.class, () -> RestartPolicies.validate(p("always", 0), true)).getMessage());
        assertTrue(assertThrows(PouchException.class, () -> RestartPolicies.validate(p("sometimes", 0), false))
                .getMessage().startsWith("invalid restart policy: unknown policy 'sometimes'"));
        RestartPolicies.validate(p("no", 0), true);
        RestartPolicies.validate(p("on-failure", 5), false);
    }
}
