package io.pouch.daemon.system;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonSettingsTest {
    private final List<String> proxies = new ArrayList<>();
    private final DaemonSettings settings = new DaemonSettings(List.of("zone=hangzhou"), p -> {
        if (p.contains(" ")) {
            throw new IllegalArgumentException(p);
        }
        proxies.add(p);
    });

    private void update(String json) throws Exception {
        settings.update(Json.MAPPER.readTree(json));
    }

    private int refused(String json) {
        return assertThrows(PouchException.class, () -> update(json)).status();
    }

    @Test
    void labelsMergeByKeyAsPouchsDo() throws Exception {
        update("{\"Labels\":[\"storage=ssd\",\"zone=shanghai\"]}");
        assertEquals(List.of("zone=shanghai", "storage=ssd"), settings.labels());
        assertEquals(List.of(), proxies, "an absent ImageProxy leaves the proxy");
    }

    @Test
    void anImageProxyGivenIsApplied() throws Exception {
        update("{\"ImageProxy\":\"http://127.0.0.1:3128\"}");
        update("{\"ImageProxy\":\"\",\"Labels\":[\"a=b\"]}");
        assertEquals(List.of("http://127.0.0.1:3128", ""), proxies);
        assertEquals(List.of("zone=hangzhou", "a=b"), settings.labels());
    }

    @Test
    void whatCannotBeAppliedIsRefusedAndNothingChanges() {
        assertEquals(400, refused("{}"));
        assertEquals(400, refused("[]"));
        assertEquals(400, refused("{\"ImageProxy\":\"\"}"));
        assertEquals(400, refused("{\"Debug\":true,\"Labels\":[\"a=b\"]}"));
        assertEquals(400, refused("{\"Labels\":[\"novalue\"]}"));
        assertEquals(400, refused("{\"Labels\":\"a=b\"}"));
        assertEquals(400, refused("{\"ImageProxy\":\"bad proxy\",\"Labels\":[\"a=b\"]}"));
        assertEquals(List.of("zone=hangzhou"), settings.labels());
        PouchException e = assertThrows(PouchException.class, () -> update("{\"Debug\":true}"));
        assertTrue(e.getMessage().contains("Debug"), e.getMessage());
    }
}
