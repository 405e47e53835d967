package io.pouch.daemon.container.rich;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RichFieldsTest {
    private static ContainerConfig fold(ObjectNode body) throws Exception {
        return RichFields.fold(body, Json.MAPPER.treeToValue(body, ContainerConfig.class));
    }

    private static ObjectNode body() {
        ObjectNode b = Json.MAPPER.createObjectNode().put("Image", "busybox");
        b.putObject("HostConfig");
        return b;
    }

    @Test
    void richAloneMeansDumbInitAsPouchDefaultsIt() throws Exception {
        ContainerConfig c = fold(body().put("Rich", true));
        assertTrue(c.rich());
        assertEquals("dumb-init", c.richMode());
        assertNull(c.initScript());
    }

    @Test
    void hostConfigFieldsCountToo() throws Exception {
        ObjectNode b = body();
        b.withObject("/HostConfig").put("Rich", true).put("RichMode", "sbin-init").put("InitScript", "/init.sh a");
        ContainerConfig c = fold(b);
        assertTrue(c.rich());
        assertEquals("sbin-init", c.richMode());
        assertEquals("/init.sh a", c.initScript());
    }

    @Test
    void systemdStopsWithSigrtminPlus3UnlessTheUserChoseASignal() throws Exception {
        assertEquals("SIGRTMIN+3", fold(body().put("Rich", true).put("RichMode", "systemd")).stopSignal());
        assertEquals("SIGKILL", fold(body().put("Rich", true).put("RichMode", "systemd")
                .put("StopSignal", "SIGKILL")).stopSignal());
        assertNull(fold(body().put("Rich", true)).stopSignal());
    }

    @Test
    void notRichStaysAsItWas() throws Exception {
        ContainerConfig c = fold(body());
        assertFalse(c.rich());
        assertNull(c.richMode());
    }

    @Test
    void refusalsNameTheField() {
        assertEquals("not supported rich mode: bogus (RichMode is one of dumb-init, sbin-init, systemd)",
                assertThrows(PouchException.class, () -> fold(body().put("Rich", true).put("RichMode", "bogus")))
                        .getMessage());
        assertTrue(assertThrows(PouchException.class, () -> fold(body().put("RichMode", "systemd")))
                .getMessage().startsWith("RichMode systemd: must first enable rich mode"));
        assertTrue(assertThrows(PouchException.class, () -> fold(body().put("InitScript", "/x.sh")))
                .getMessage().startsWith("InitScript /x.sh: an init script can only be used along with rich mode"));
        assertTrue(assertThrows(PouchException.class, () -> fold(body().put("Rich", true).put("InitScript", "x.sh")))
                .getMessage().contains("absolute path"));
        ObjectNode both = body().put("Rich", true).put("RichMode", "systemd");
        both.withObject("/HostConfig").put("RichMode", "sbin-init");
        assertTrue(assertThrows(PouchException.class, () -> fold(both)).getMessage()
                .contains("HostConfig.RichMode is sbin-init"));
        ObjectNode init = body().put("Rich", true);
        init.withObject("/HostConfig").put("Init", true);
        assertTrue(assertThrows(PouchException.class, () -> fold(init)).getMessage().startsWith("HostConfig.Init"));
        ObjectNode badType = body();
        badType.withObject("/HostConfig").put("Rich", "yes");
        assertTrue(assertThrows(PouchException.class, () -> fold(badType)).getMessage()
                .startsWith("HostConfig.Rich \"yes\""));
    }
}
