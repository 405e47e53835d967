package io.pouch.daemon.cri.cni;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PluginErrorTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSpecsErrorObject() {
        PluginError e = PluginError.parse(b("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"invalid config\","
                + "\"details\":\"no bridge name\"}"), b("noise"), 1);
        assertEquals(new PluginError(7, "invalid config", "no bridge name"), e);
        assertEquals("invalid config: no bridge name (code 7)", e.describe());
        assertEquals("failed to allocate", PluginError.parse(b("{\"msg\":\"failed to allocate\"}"), b(""), 1).describe());
    }

    @Test
    void otherOutputIsDescribedByStderrThenStdout() {
        assertEquals("panic: runtime error", PluginError.parse(b("garbage"), b("panic: runtime error\n"), 2).describe());
        assertEquals("garbage", PluginError.parse(b("garbage\n"), b(""), 2).describe());
        assertEquals("exit status 3", PluginError.parse(b(""), b(""), 3).describe());
    }
}
