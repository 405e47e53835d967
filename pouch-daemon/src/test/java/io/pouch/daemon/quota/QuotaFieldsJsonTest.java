package io.pouch.daemon.quota;

import io.pouch.api.Json;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerUpdate;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Pouch's DiskQuota/QuotaID travel in the create and update bodies and in the stored config. */
class QuotaFieldsJsonTest {
    @Test
    void createAndInspectCarryThem() throws Exception {
        ContainerConfig c = Json.MAPPER.readValue("{\"Image\":\"busybox\",\"DiskQuota\":{\"/\":\"10m\"},"
                + "\"QuotaID\":\"-1\"}", ContainerConfig.class);
        assertEquals(Map.of("/", "10m"), c.diskQuota());
        assertEquals("-1", c.quotaId());
        String back = Json.MAPPER.writeValueAsString(c.toBuilder().quotaId("257").build());
        assertEquals("257", Json.MAPPER.readTree(back).get("QuotaID").asText());
        String none = Json.MAPPER.writeValueAsString(ContainerConfig.builder().image("busybox").build());
        assertFalse(Json.MAPPER.readTree(none).has("DiskQuota"));
        assertFalse(Json.MAPPER.readTree(none).has("QuotaID"));
    }

    @Test
    void updateCarriesIt() throws Exception {
        ContainerUpdate u = Json.MAPPER.readValue("{\"DiskQuota\":{\"/\":\"20m\"},\"Memory\":0}",
                ContainerUpdate.class);
        assertEquals(Map.of("/", "20m"), u.diskQuota());
        assertNull(Json.MAPPER.readValue("{\"Memory\":1}", ContainerUpdate.class).diskQuota());
    }
}
