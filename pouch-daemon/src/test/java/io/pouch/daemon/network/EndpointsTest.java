package io.pouch.daemon.network;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The bookkeeping of endpoints, without root: what needs a namespace or a veth of the host is not exercised here. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndpointsTest {
    static final String C1 = "1".repeat(64);
    static final String C2 = "2".repeat(64);

    @TempDir
    Path dir;
    NetworkSide side;

    @BeforeEach
    void wire() {
        side = new NetworkSide(dir);
    }

    Path record(String id) {
        return dir.resolve("home/network/containers/" + id + ".json");
    }

    ContainerNet onDisk(String id) throws Exception {
        return Json.MAPPER.readValue(record(id).toFile(), ContainerNet.class);
    }

    /** A running container on web with a leased address, as an attach leaves it. */
    ContainerNet running(String id, String name) {
        String ip = side.ipam.allocate(side.web, "", id);
        EndpointRecord e = new EndpointRecord(NetworkSide.WEB_ID, "web", "e" + id, "eth0", "vethnotonhost", ip, 24,
                "10.232.0.1", DataPlane.macFor(ip), List.of(id.substring(0, 12)), List.of());
        ContainerNet c = new ContainerNet(id, name, "web",
                Map.of(NetworkSide.WEB_ID, new EndpointConfig("web", "", List.of(), "")), List.of(), List.of(e));
        side.containers.save(c);
        return c;
    }

    @Test
    void registerRecordsWhatTheContainerAskedFor() throws Exception {
        NetworkRequest req = new NetworkRequest(Map.of("web", new EndpointConfig("web", "10.232.0.9", List.of("api"),
                "")), List.of("db:db"), "02:42:00:00:00:09");
        side.endpoints.register(C1, "one", "web", req);
        ContainerNet c = onDisk(C1);
        assertEquals(Map.of(NetworkSide.WEB_ID, new EndpointConfig("web", "10.232.0.9", List.of("api"),
                "02:42:00:00:00:09")), c.wanted());
        assertEquals(List.of("db:db"), c.links());
        assertEquals(c, side.containers.get(C1));

        side.endpoints.register(C2, "two", "later", NetworkRequest.EMPTY);
        assertEquals(Set.of("unknown:later"), side.containers.get(C2).wanted().keySet());
        side.endpoints.register("3".repeat(64), "three", "container:" + C1, NetworkRequest.EMPTY);
        assertEquals(Map.of(), side.containers.get("3".repeat(64)).wanted());
        side.endpoints.register("4".repeat(64), "four", "default", NetworkRequest.EMPTY);
        assertEquals(Set.of(NetworkSide.BRIDGE_ID), side.containers.get("4".repeat(64)).wanted().keySet());
    }

    @Test
    void attachWithoutABridgeNetworkNeedsNoNamespace() {
        assertSame(Attachment.NONE, side.endpoints.attach(C1, "h", null, null, false)); // unknown container
        side.endpoints.register(C1, "one", "host", NetworkRequest.EMPTY);
        assertSame(Attachment.NONE, side.endpoints.attach(C1, "h", null, null, false));
        assertFalse(Files.exists(side.plane.netnsPath(C1)));
    }

    @Test
    void attachToANetworkThatIsGoneIs404() {
        side.endpoints.register(C1, "one", "later", NetworkRequest.EMPTY);
        PouchException e = assertThrows(PouchException.class, () -> side.endpoints.attach(C1, "h", null, null, false));
        assertEquals(404, e.status());
        assertEquals("network later not found", e.getMessage());
    }

    @Test
    void connectAStoppedContainerOnlyRecordsIt() throws Exception {
        side.endpoints.register(C1, "one", "default", NetworkRequest.EMPTY);
        side.endpoints.connect("web", C1, new EndpointConfig("web", "10.232.0.7", List.of("x"), ""), false);
        assertEquals(new EndpointConfig("web", "10.232.0.7", List.of("x"), ""),
                onDisk(C1).wanted().get(NetworkSide.WEB_ID));
        assertEquals(List.of(), onDisk(C1).active());
        assertEquals(List.of("connect web"), side.actions());
        assertEquals(C1, side.events.get(0).actor().attributes().get("container"));
        assertEquals(Map.of(), side.ipam.leases(NetworkSide.WEB_ID));
    }

    @Test
    void connectRefusals() {
        side.endpoints.register(C1, "one", "web", NetworkRequest.EMPTY);
        side.endpoints.register(C2, "two", "container:" + C1, NetworkRequest.EMPTY);
        side.endpoints.register("3".repeat(64), "three", "host", NetworkRequest.EMPTY);
        EndpointConfig none = new EndpointConfig("", "", List.of(), "");
        assertEquals("endpoint with name one already exists in network web",
                assertThrows(PouchException.class, () -> side.endpoints.connect("web", C1, none, false)).getMessage());
        assertEquals(400, assertThrows(PouchException.class,
                () -> side.endpoints.connect("web", C2, none, false)).status());
        assertEquals(403, assertThrows(PouchException.class,
                () -> side.endpoints.connect("web", "3".repeat(64), none, false)).status());
        assertEquals(403, assertThrows(PouchException.class,
                () -> side.endpoints.connect("host", C1, none, false)).status());
        assertEquals("user specified IP address is supported on user defined networks only",
                assertThrows(PouchException.class, () -> side.endpoints.connect("bridge", C1,
                        new EndpointConfig("bridge", "10.231.0.9", List.of(), ""), false)).getMessage());
        assertEquals("No such container: nope",
                assertThrows(PouchException.class, () -> side.endpoints.connect("web", "nope", none, false))
                        .getMessage());
        assertEquals(404, assertThrows(PouchException.class,
                () -> side.endpoints.connect("nonet", C1, none, false)).status());
        assertEquals(List.of(), side.events);
    }

    @Test
    void disconnectDropsTheEndpointAndItsLease() throws Exception {
        running(C1, "one");
        assertEquals(1, side.ipam.leases(NetworkSide.WEB_ID).size());
        side.endpoints.disconnect("web", C1, false);
        assertEquals(Map.of(), onDisk(C1).wanted());
        assertEquals(List.of(), onDisk(C1).active());
        assertEquals(Map.of(), side.ipam.leases(NetworkSide.WEB_ID));
        assertEquals(List.of("disconnect web"), side.actions());
        PouchException e = assertThrows(PouchException.class, () -> side.endpoints.disconnect("web", C1, false));
        assertEquals(403, e.status());
        assertEquals("container " + C1 + " is not connected to network web", e.getMessage());
        side.endpoints.disconnect("web", C1, true); // forced: no error, no event
        side.endpoints.disconnect("web", "gone", true);
        assertEquals(1, side.events.size());
    }

    @Test
    void detachLaterStopsTheAttachmentAtOnceAndWritesTheRecordAfterTheTeardown() throws Exception {
        running(C1, "one");
        assertEquals(Set.of(C1), side.containers.attached(NetworkSide.WEB_ID).keySet());
        side.endpoints.detachLater(C1);
        assertEquals(Map.of(), side.containers.attached(NetworkSide.WEB_ID));
        assertNull(side.containers.resolve(NetworkSide.WEB_ID, "one"));
        side.pending.await(C1);
        assertEquals(List.of(), onDisk(C1).active());
        assertEquals(Set.of(NetworkSide.WEB_ID), onDisk(C1).wanted().keySet());
        assertEquals(Map.of(), side.ipam.leases(NetworkSide.WEB_ID));
        side.endpoints.detachLater(C1); // nothing left: nothing scheduled
        side.endpoints.detach(C1);
        assertEquals(List.of(), side.containers.get(C1).active());
    }

    @Test
    void forgetDropsTheContainerAtOnceAndItsRecordAfterTheTeardown() {
        running(C1, "one");
        side.endpoints.forget(C1);
        assertNull(side.containers.get(C1));
        side.pending.await(C1);
        assertFalse(Files.exists(record(C1)));
        assertEquals(Map.of(), side.ipam.leases(NetworkSide.WEB_ID));
    }

    @Test
    void renameIsWhatDnsAnswersFor() throws Exception {
        running(C1, "one");
        side.endpoints.rename(C1, "uno");
        assertEquals("uno", onDisk(C1).name());
        assertNull(side.containers.resolve(NetworkSide.WEB_ID, "one"));
        assertEquals(side.containers.get(C1).active().get(0).ip(), side.containers.resolve(NetworkSide.WEB_ID, "uno"));
        side.endpoints.rename("nope", "x"); // unknown: nothing
        assertNull(side.containers.get("nope"));
    }

    @Test
    void reconcileKeepsRunningContainersDetachesStoppedOnesAndDropsTheGone() throws Exception {
        ContainerNet live = running(C1, "one");
        running(C2, "two");
        running("3".repeat(64), "three");
        side.ipam.allocate(side.web, "10.232.0.200", "someone-else"); // a lease without a record
        side.endpoints.reconcile(C1::equals, id -> !id.equals("3".repeat(64)));
        assertEquals(live, onDisk(C1));
        assertEquals(List.of(), onDisk(C2).active());
        assertNull(side.containers.get("3".repeat(64)));
        assertFalse(Files.exists(record("3".repeat(64))));
        assertEquals(Map.of(live.active().get(0).ip(), C1), side.ipam.leases(NetworkSide.WEB_ID));
    }

    @Test
    void reconcileAddsBackALeaseTheRecordNames() {
        ContainerNet live = running(C1, "one");
        side.ipam.releaseOwner(C1); // a crash between the record's write and the leases'
        side.endpoints.reconcile(id -> true, id -> true);
        assertEquals(Map.of(live.active().get(0).ip(), C1), side.ipam.leases(NetworkSide.WEB_ID));
    }

    @Test
    void aJoinerEntersTheInitProcessNamespaceWhenWeMadeNone() {
        side.endpoints.register(C1, "one", "host", NetworkRequest.EMPTY);
        assertEquals("/proc/42/ns/net", side.endpoints.joinNamespace(C1, 42));
        assertEquals("/proc/42/ns/net", side.endpoints.joinNamespace("nope", 42));
        running(C2, "two"); // attached, but its namespace file is not there
        assertEquals("/proc/7/ns/net", side.endpoints.joinNamespace(C2, 7));
    }
}
