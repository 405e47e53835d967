package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.NetworkMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoNetworkingTest {
    @Test
    void withoutNetworksOnlyTheBuiltInModesAreAccepted() {
        ContainerNetworking none = ContainerNetworking.NONE;
        none.validate(NetworkMode.parse("bridge"), null, null, null);
        PouchException unknown = assertThrows(PouchException.class,
                () -> none.validate(NetworkMode.parse("mynet"), null, null, null));
        assertEquals(404, unknown.status());
        assertEquals("network mynet not found", unknown.getMessage());
        PouchException join = assertThrows(PouchException.class,
                () -> none.validate(NetworkMode.parse("container:web"), null, null, null));
        assertEquals(400, join.status());
        assertEquals("network mode container:web is not supported yet", join.getMessage());
    }
}
