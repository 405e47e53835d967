package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.api.network.NetworkInspect;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.pouch.daemon.api.TestExchange.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The routes translate: parameters and bodies in, the calls they make, status and JSON out. */
class NetworkRoutesTest {
    /** Records each call; answers with canned values. */
    static final class Recording implements NetworkOperations {
        final List<String> calls = new ArrayList<>();
        Filters filters;
        NetworkCreateRequest created;
        EndpointConfig endpoint;

        @Override
        public List<NetworkInspect> list(Filters f) {
            filters = f;
            calls.add("list");
            return List.of(network("a"), network("b"));
        }

        @Override
        public NetworkInspect inspect(String ref) {
            calls.add("inspect " + ref);
            return network(ref);
        }

        @Override
        public String create(NetworkCreateRequest r) {
            created = r;
            calls.add("create");
            return "n".repeat(64);
        }

        @Override
        public void remove(String ref) {
            calls.add("remove " + ref);
        }

        @Override
        public List<String> prune(Filters f) {
            filters = f;
            calls.add("prune");
            return List.of("old");
        }

        @Override
        public void connect(String ref, String containerId, EndpointConfig ec, boolean running) {
            endpoint = ec;
            calls.add("connect " + ref + " " + containerId + " " + running);
        }

        @Override
        public void disconnect(String ref, String containerId, boolean force) {
            calls.add("disconnect " + ref + " " + containerId + " " + force);
        }
    }

    static NetworkInspect network(String name) {
        return new NetworkInspect(name, "id-" + name, "t", "local", "bridge", true, false,
                new NetworkInspect.Ipam("default", null, List.of()), false, false, false,
                new NetworkInspect.ConfigReference(""), false, Map.of(), Map.of(), Map.of());
    }

    Recording ops;
    Router router;

    @BeforeEach
    void routes() {
        ops = new Recording();
        router = new Router();
        Map<String, String> ids = Map.of("web", "c".repeat(64));
        new NetworkRoutes(ops, ref -> {
            String id = ids.get(ref);
            if (id == null) {
                throw PouchException.notFound("No such container: " + ref);
            }
            return id;
        }, id -> id.startsWith("c")).register(router);
    }

    @Test
    void listPassesTheParsedFiltersAndAnswersTheNetworks() throws Exception {
        TestExchange ex = request("GET", "/networks").query("filters", "{\"name\":{\"we\":true}}").run(router);
        assertEquals(200, ex.status());
        assertEquals(List.of("we"), ops.filters.get("name"));
        assertEquals(2, ex.text().split("\"Name\"").length - 1);
        assertEquals('[', ex.text().charAt(0));
    }

    @Test
    void listWithoutFilters() throws Exception {
        request("GET", "/networks").run(router);
        assertEquals(Set.of(), ops.filters.values().keySet());
    }

    @Test
    void inspectAnswersTheRecord() throws Exception {
        TestExchange ex = request("GET", "/networks/web").run(router);
        assertEquals(200, ex.status());
        assertEquals(List.of("inspect web"), ops.calls);
        assertEquals("{\"Name\":\"web\",\"Id\":\"id-web\",\"Created\":\"t\",\"Scope\":\"local\",\"Driver\":\"bridge\","
                + "\"EnableIPv4\":true,\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Config\":[]},"
                + "\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},"
                + "\"ConfigOnly\":false,\"Containers\":{},\"Options\":{},\"Labels\":{}}\n", ex.text());
    }

    @Test
    void createReadsTheBodyAndAnswersIdAndWarning() throws Exception {
        TestExchange ex = request("POST", "/networks/create").body("{\"Name\":\"web\",\"Driver\":\"bridge\","
                + "\"Internal\":true,\"Labels\":{\"a\":\"1\"},\"Options\":{\"com.docker.network.driver.mtu\":\"1400\"},"
                + "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.231.0.0/16\",\"Gateway\":\"10.231.0.1\","
                + "\"IPRange\":\"10.231.5.0/24\"}]}}").run(router);
        assertEquals(201, ex.status());
        assertEquals("{\"Id\":\"" + "n".repeat(64) + "\",\"Warning\":\"\"}\n", ex.text());
        assertEquals(new NetworkCreateRequest("web", "bridge", "10.231.0.0/16", "10.231.0.1", "10.231.5.0/24", true,
                Map.of("a", "1"), Map.of("com.docker.network.driver.mtu", "1400")), ops.created);
    }

    @Test
    void createWithoutAnObjectBodyIsRefusedBeforeAnyCall() {
        for (String body : List.of("", "[1]", "\"x\"")) {
            PouchException e = assertThrows(PouchException.class,
                    () -> request("POST", "/networks/create").body(body).run(router));
            assertEquals(400, e.status());
            assertEquals("a JSON object body is required", e.getMessage());
        }
        assertEquals(List.of(), ops.calls);
    }

    @Test
    void createWithTwoSubnetsOfAFamilyIsRefusedBeforeAnyCall() {
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/networks/create")
                .body("{\"Name\":\"v6\",\"EnableIPv6\":true,\"IPAM\":{\"Config\":[{\"Subnet\":\"fd00:1::/64\"},"
                        + "{\"Subnet\":\"fd00:2::/64\"}]}}").run(router));
        assertEquals(400, e.status());
        assertEquals("bridge driver doesn't support multiple subnets", e.getMessage());
        assertEquals(List.of(), ops.calls);
    }

    @Test
    void connectWithLinksIsRefusedBeforeAnyCall() {
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/networks/web/connect")
                .body("{\"Container\":\"c\",\"EndpointConfig\":{\"Links\":[\"a:b\"]}}").run(router));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("Links in EndpointConfig"), e.getMessage());
        assertEquals(List.of(), ops.calls);
    }

    @Test
    void removeAnswers204() throws Exception {
        TestExchange ex = request("DELETE", "/networks/web").run(router);
        assertEquals(204, ex.status());
        assertEquals(List.of("remove web"), ops.calls);
    }

    @Test
    void pruneAnswersTheNamesRemoved() throws Exception {
        TestExchange ex = request("POST", "/networks/prune").query("filters", "{\"label\":{\"a=1\":true}}")
                .run(router);
        assertEquals(200, ex.status());
        assertEquals("{\"NetworksDeleted\":[\"old\"]}\n", ex.text());
        assertEquals(List.of("a=1"), ops.filters.get("label"));
    }

    @Test
    void connectResolvesTheContainerAndPassesTheEndpointConfig() throws Exception {
        TestExchange ex = request("POST", "/networks/net1/connect").body("{\"Container\":\"web\","
                + "\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.231.5.9\"},\"Aliases\":[\"api\"]}}")
                .run(router);
        assertEquals(200, ex.status());
        assertEquals(List.of("connect net1 " + "c".repeat(64) + " true"), ops.calls);
        assertEquals(new EndpointConfig("net1", "10.231.5.9", List.of("api"), ""), ops.endpoint);
    }

    @Test
    void connectOfAnUnknownContainerIs404() {
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/networks/n/connect")
                .body("{\"Container\":\"nope\"}").run(router));
        assertEquals(404, e.status());
        assertEquals(List.of(), ops.calls);
    }

    @Test
    void disconnectWithForceTakesAnUnknownContainerAsGiven() throws Exception {
        TestExchange ex = request("POST", "/networks/n/disconnect")
                .body("{\"Container\":\"gone\",\"Force\":true}").run(router);
        assertEquals(200, ex.status());
        assertEquals(List.of("disconnect n gone true"), ops.calls);
        request("POST", "/networks/n/disconnect").body("{\"Container\":\"web\"}").run(router);
        assertEquals("disconnect n " + "c".repeat(64) + " false", ops.calls.get(1));
        PouchException e = assertThrows(PouchException.class, () -> request("POST", "/networks/n/disconnect")
                .body("{\"Container\":\"gone\"}").run(router));
        assertEquals(404, e.status());
    }
}
