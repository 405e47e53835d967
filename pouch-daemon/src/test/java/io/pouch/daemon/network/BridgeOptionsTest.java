package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeOptionsTest {
    static String refused(Map<String, String> o) {
        PouchException e = assertThrows(PouchException.class, () -> BridgeOptions.parse(o));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void appliedOptionsAreRead() {
        BridgeOptions o = BridgeOptions.parse(Map.of(BridgeOptions.MTU, "1400", BridgeOptions.MASQUERADE, "false",
                BridgeOptions.ICC, "0", BridgeOptions.HOST_BINDING, "127.0.0.1", BridgeOptions.IFACE_PREFIX, "net",
                BridgeOptions.BRIDGE_NAME, "br-x"));
        assertEquals(new BridgeOptions(1400, false, false, "127.0.0.1", "net"), o);
        assertEquals("net2", o.ifName(2));
        assertEquals(BridgeOptions.DEFAULTS, BridgeOptions.parse(Map.of()));
        assertEquals("eth0", BridgeOptions.DEFAULTS.ifName(0));
        assertTrue(BridgeOptions.parse(Map.of(BridgeOptions.ICC, "True")).icc());
        assertFalse(BridgeOptions.parse(Map.of(BridgeOptions.MASQUERADE, "F")).masquerade());
    }

    @Test
    void refusedOptionsAreNamed() {
        assertEquals("option com.docker.network.bridge.inhibit_ipv4 is not supported by pouchd: the bridge always"
                + " holds its IPv4 gateway address", refused(Map.of("com.docker.network.bridge.inhibit_ipv4", "true")));
        assertEquals("option com.docker.network.bridge.default_bridge is not supported: the default bridge is the"
                + " daemon's (--bridge-name)", refused(Map.of(BridgeOptions.DEFAULT_BRIDGE, "true")));
        assertEquals("option com.docker.network.enable_ipv6 is not supported: use EnableIPv6 (docker network create"
                + " --ipv6)", refused(Map.of("com.docker.network.enable_ipv6", "true")));
        assertEquals("option foo.bar is not supported by the bridge driver of pouchd", refused(Map.of("foo.bar", "1")));
    }

    @Test
    void badValuesAreNamed() {
        assertEquals("invalid com.docker.network.bridge.enable_icc yes: true or false",
                refused(Map.of(BridgeOptions.ICC, "yes")));
        assertEquals("invalid com.docker.network.bridge.host_binding_ipv4 ::1: an IPv4 address",
                refused(Map.of(BridgeOptions.HOST_BINDING, "::1")));
        assertTrue(refused(Map.of(BridgeOptions.IFACE_PREFIX, "1x")).startsWith(
                "invalid com.docker.network.container_iface_prefix \"1x\""));
        assertEquals("invalid com.docker.network.driver.mtu 67: a number between 68 and 65535",
                refused(Map.of(BridgeOptions.MTU, "67")));
    }

    @Test
    void aStoredNetworkWithAnOptionRefusedSinceKeepsWorking() {
        NetworkRecord old = new NetworkRecord("o", "old", "bridge", "", "br-o", "10.9.0.0/24", "10.9.0.1", "", false,
                Map.of(), Map.of("foo.bar", "1", BridgeOptions.MTU, "1400"));
        assertEquals(1400, BridgeOptions.of(old).mtu());
        NetworkRecord bad = new NetworkRecord("b", "bad", "bridge", "", "br-b", "10.9.1.0/24", "10.9.1.1", "", false,
                Map.of(), Map.of(BridgeOptions.ICC, "yes"));
        assertEquals(BridgeOptions.DEFAULTS, BridgeOptions.of(bad));
    }
}
