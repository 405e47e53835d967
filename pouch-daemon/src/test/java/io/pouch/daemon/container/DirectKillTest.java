package io.pouch.daemon.container;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DirectKillTest {
    @Test
    void aProcessOutsideTheContainersCgroupIsNeverKilled() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        try {
            String id = "f".repeat(64);
            assertFalse(DirectKill.inContainerCgroup(p.pid(), id));
            assertFalse(DirectKill.kill(p.pid(), id), "not the container's process: containerd is asked instead");
            assertTrue(p.isAlive());
            assertFalse(DirectKill.kill(1, id), "never init");
            assertFalse(DirectKill.kill(Integer.MAX_VALUE, id), "no such process");
        } finally {
            p.destroyForcibly();
        }
    }
}
