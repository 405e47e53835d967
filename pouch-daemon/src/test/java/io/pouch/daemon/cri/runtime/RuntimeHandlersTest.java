package io.pouch.daemon.cri.runtime;

import org.junit.jupiter.api.Test;

import static io.pouch.daemon.cri.runtime.CriAsserts.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RuntimeHandlersTest {
    @Test
    void theDefaultHandlerIsTheEnginesDefaultRuntime() {
        assertNull(RuntimeHandlers.runtime(""));
        assertNull(RuntimeHandlers.runtime(null));
        assertEquals("", RuntimeHandlers.handler(null));
    }

    @Test
    void runcAndCrunNameThemselves() {
        assertEquals("runc", RuntimeHandlers.runtime("runc"));
        assertEquals("crun", RuntimeHandlers.runtime("crun"));
        assertEquals("crun", RuntimeHandlers.handler("crun"));
    }

    @Test
    void anyOtherHandlerIsRefusedByName() {
        refused(() -> RuntimeHandlers.runtime("kata"), "\"kata\"");
        refused(() -> RuntimeHandlers.runtime("RUNC"), "\"RUNC\"");
    }
}
