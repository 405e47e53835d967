package io.pouch.daemon.container;

import io.pouch.api.Json;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DnsSettingsTest {
    private static final String HOST = "# from the host\nnameserver 10.0.0.2\nsearch corp\noptions edns0\n";

    private static HostConfig hc(List<String> dns, List<String> search, List<String> opts) {
        return Json.MAPPER.convertValue(Map.of("Dns", dns, "DnsSearch", search, "DnsOptions", opts), HostConfig.class);
    }

    @Test
    void hostSettingsStayWhenNothingIsGiven() {
        assertEquals(HOST, DnsSettings.apply(HOST, List.of(), null));
        assertEquals(HOST, DnsSettings.apply(HOST, List.of(), hc(List.of(), List.of(), List.of())));
    }

    @Test
    void givenSettingsReplaceTheHostsOnes() {
        assertEquals("# from the host\noptions edns0\nnameserver 10.231.0.53\nsearch a.test b.test\n",
                DnsSettings.apply(HOST, List.of(), hc(List.of("10.231.0.53"), List.of("a.test", "b.test"), List.of())));
        assertEquals("# from the host\nsearch corp\nnameserver 10.231.9.1\noptions ndots:2\n",
                DnsSettings.apply(HOST, List.of("10.231.9.1"), hc(List.of("10.231.0.53"), List.of(), List.of("ndots:2"))));
    }
}
