package io.pouch.daemon.network;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class DataPlaneMacTest {
    @Test
    void macIsDockersLocallyAdministeredFormOfTheAddress() {
        assertEquals("02:42:c0:a8:05:01", DataPlane.macFor("192.168.5.1"));
        assertEquals("02:42:0a:e7:ff:02", DataPlane.macFor("10.231.255.2"));
    }

    @Test
    void theGatewaysMacDiffersFromEveryContainerOnItsSubnet() {
        String gw = DataPlane.macFor("10.232.1.1");
        for (int host = 2; host < 255; host++) {
            assertNotEquals(gw, DataPlane.macFor("10.232.1." + host));
        }
    }
}
