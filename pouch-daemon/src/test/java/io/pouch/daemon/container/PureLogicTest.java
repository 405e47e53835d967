package io.pouch.daemon.container;

import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.ContainerWaitResponse;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PureLogicTest {
    @Test
    void nameValidation() {
        assertEquals("web-1.a_b", Names.validate("/web-1.a_b"));
        PouchException e = assertThrows(PouchException.class, () -> Names.validate("bad name"));
        assertEquals(400, e.status());
        assertEquals("Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", e.getMessage());
        assertThrows(PouchException.class, () -> Names.validate("a"));
        assertThrows(PouchException.class, () -> Names.validate("-ab"));
    }

    @Test
    void generatedNamesAreValidAndFree() {
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String n = Names.generate(taken::contains);
            assertTrue(n.matches("[a-z]+_[a-z]+\\d?"), n);
            Names.validate(n);
            assertTrue(taken.add(n));
        }
    }

    private static Container container(String id, String name) {
        return new Container(new ContainerMeta(id, name, "2024-01-01T00:00:00Z", "sh", List.of(),
                ContainerConfig.empty(), HostConfig.empty(), "sha256:" + "1".repeat(64), "busybox", null,
                ContainerState.created(), 0));
    }

    @Test
    void lookupByIdPrefixAndName() {
        ContainerStore s = new ContainerStore();
        Container a = container("abc" + "0".repeat(61), "alpha");
        Container b = container("abd" + "0".repeat(61), "beta");
        for (Container c : List.of(a, b)) {
            s.reserveName(c.meta().name(), c.id);
            s.add(c);
        }
        assertSame(a, s.find(a.id));
        assertSame(a, s.find("abc"));
        assertSame(b, s.find("/beta"));
        assertSame(b, s.find("beta"));
        PouchException amb = assertThrows(PouchException.class, () -> s.find("ab"));
        assertEquals(400, amb.status());
        assertTrue(amb.getMessage().contains("multiple IDs found with provided prefix"));
        PouchException nf = assertThrows(PouchException.class, () -> s.find("nope"));
        assertEquals(404, nf.status());
        assertEquals("No such container: nope", nf.getMessage());
        PouchException dup = assertThrows(PouchException.class, () -> s.reserveName("alpha", "x"));
        assertEquals(409, dup.status());
        assertEquals("Conflict. The container name \"/alpha\" is already in use by container \"" + a.id
                + "\". You have to remove (or rename) that container to be able to reuse that name.", dup.getMessage());
    }

    @Test
    void statusStrings() {
        Instant now = Instant.parse("2024-01-01T00:10:00Z");
        assertEquals("Created", StatusText.of(ContainerState.created(), false, now));
        ContainerState up = new ContainerState("running", true, false, false, false, false, 5, 0, "",
                "2024-01-01T00:09:57Z", ContainerState.ZERO_TIME);
        assertEquals("Up 3 seconds", StatusText.of(up, false, now));
        ContainerState paused = new ContainerState("paused", true, true, false, false, false, 5, 0, "",
                "2024-01-01T00:09:00Z", ContainerState.ZERO_TIME);
        assertEquals("Up About a minute (Paused)", StatusText.of(paused, false, now));
        ContainerState exited = new ContainerState("exited", false, false, false, false, false, 0, 3, "",
                "2024-01-01T00:00:00Z", "2024-01-01T00:08:00Z");
        assertEquals("Exited (3) 2 minutes ago", StatusText.of(exited, false, now));
        assertEquals("exited", ContainerFilters.status(exited, false));
        assertEquals("paused", ContainerFilters.status(paused, false));
        assertEquals("created", ContainerFilters.status(ContainerState.created(), false));
        assertEquals("Less than a second", StatusText.humanDuration(Duration.ofMillis(300)));
        assertEquals("About an hour", StatusText.humanDuration(Duration.ofMinutes(70)));
        assertEquals("3 days", StatusText.humanDuration(Duration.ofHours(80)));
    }

    @Test
    void filters() {
        ContainerStore s = new ContainerStore();
        Container a = container("abc" + "0".repeat(61), "web-1");
        s.reserveName("web-1", a.id);
        s.add(a);
        ContainerMeta m = a.meta();
        assertTrue(new ContainerFilters(Filters.parse("{\"name\":{\"web\":true}}"), s, null).matches(m, false));
        assertTrue(new ContainerFilters(Filters.parse("{\"name\":[\"^/web-1$\"]}"), s, null).matches(m, false));
        assertFalse(new ContainerFilters(Filters.parse("{\"name\":[\"db\"]}"), s, null).matches(m, false));
        assertTrue(new ContainerFilters(Filters.parse("{\"id\":[\"abc\"]}"), s, null).matches(m, false));
        assertTrue(new ContainerFilters(Filters.parse("{\"status\":[\"created\"]}"), s, null).matches(m, false));
        assertFalse(new ContainerFilters(Filters.parse("{\"status\":[\"running\"]}"), s, null).matches(m, false));
        assertTrue(new ContainerFilters(Filters.parse("{\"ancestor\":[\"busybox\"]}"), s, null).matches(m, false));
        assertFalse(new ContainerFilters(Filters.parse("{\"exited\":[\"0\"]}"), s, null).matches(m, false));
        assertEquals(400, assertThrows(PouchException.class,
                () -> new ContainerFilters(Filters.parse("{\"status\":[\"zzz\"]}"), s, null)).status());
        assertEquals(400, assertThrows(PouchException.class,
                () -> new ContainerFilters(Filters.parse("{\"bogus\":[\"1\"]}"), s, null)).status());
    }

    @Test
    void binds() {
        Bind b = Bind.parse("/host/dir:/ctr:ro");
        assertEquals(Path.of("/host/dir"), b.source());
        assertEquals("/ctr", b.destination());
        assertTrue(b.readOnly());
        assertFalse(Bind.parse("/a:/b").readOnly());
        assertEquals("rshared", Bind.parse("/a:/b:rw,rshared").propagation());
        for (String bad : List.of("relative:/b", "/a:b", "/a", "/a:/", "/a:/b:xx", "/a:/b:ro,rw", "")) {
            assertEquals(400, assertThrows(PouchException.class, () -> Bind.parse(bad)).status(), bad);
        }
    }

    @Test
    void users() {
        String passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/false\n";
        String group = "root:x:0:\nwww:x:33:\naudio:x:29:www,bob\nvideo:x:44:www\n";
        assertEquals(new UserSpec(0, 0, List.of()), UserSpec.resolve("", passwd, group));
        assertEquals(new UserSpec(33, 33, List.of(29, 44)), UserSpec.resolve("www", passwd, group));
        assertEquals(new UserSpec(33, 29, List.of(44)), UserSpec.resolve("www:audio", passwd, group));
        assertEquals(new UserSpec(1000, 1000, List.of()), UserSpec.resolve("1000:1000", null, null));
        assertEquals(new UserSpec(33, 33, List.of(29, 44)), UserSpec.resolve("33", passwd, group));
        assertEquals(new UserSpec(1234, 0, List.of()), UserSpec.resolve("1234", passwd, group));
        PouchException e = assertThrows(PouchException.class, () -> UserSpec.resolve("nobody", passwd, group));
        assertTrue(e.getMessage().contains("no matching entries in passwd file"));
        assertThrows(PouchException.class, () -> UserSpec.resolve("www:nogroup", passwd, group));
    }

    @Test
    void aProcessIdentityIsTheUserWithItsFilesGroupsAndGroupAdd() {
        String passwd = "root:x:0:0:root:/root:/bin/sh\ndefault-user:x:1000:50000::/home:/bin/sh\n";
        String group = "root:x:0:\ngroup-defined-in-image:x:50000:default-user\nstaff:x:60:default-user\n";
        // a number found in passwd: its primary group from there, its supplementary ones from group, then GroupAdd
        assertEquals(new UserSpec(1000, 50000, List.of(60, 1234)), UserSpec.of("1000", List.of("1234"), passwd, group));
        assertEquals(new UserSpec(1000, 50000, List.of(60, 1234)),
                UserSpec.of("default-user", List.of("1234"), passwd, group));
        // a number with no passwd entry: group 0, only GroupAdd's groups; a given group wins
        assertEquals(new UserSpec(4242, 0, List.of(1234)), UserSpec.of("4242", List.of("1234"), passwd, group));
        assertEquals(new UserSpec(1000, 7, List.of(50000, 60, 1234)), UserSpec.of("1000:7", List.of("1234"), passwd, group));
        // GroupAdd names are looked up in the container's group file
        assertEquals(new UserSpec(0, 0, List.of(50000)), UserSpec.of("", List.of("group-defined-in-image"), passwd,
                group));
        assertEquals(new UserSpec(1000, 0, List.of()), UserSpec.of("1000", null, null, null));
    }

    @Test
    void signals() {
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("SIGKILL"));
        assertEquals(10, Signals.parse("sigusr1"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(37, Signals.parse("RTMIN+3"));
        assertEquals(9, Signals.parse(""));
        assertThrows(PouchException.class, () -> Signals.parse("NOPE"));
        assertThrows(PouchException.class, () -> Signals.parse("99"));
    }

    @Test
    void resolvConfDropsLoopbackNameservers() {
        assertEquals("search x\nnameserver 10.0.0.1\n", HostFiles.withoutLoopbackNameservers(
                "search x\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nnameserver ::1\n"));
    }

    @Test
    void createBodyWithExplicitNullsParses() throws Exception {
        String body = """
                {"Hostname":null,"User":null,"Tty":null,"Env":null,"Cmd":"echo hi","Image":"busybox",
                 "Entrypoint":null,"Labels":null,"StopTimeout":null,
                 "HostConfig":{"Binds":null,"Memory":null,"NanoCpus":null,"Privileged":null,"Init":null,
                   "PidsLimit":null,"RestartPolicy":null,"LogConfig":null,"AutoRemove":null,"CapAdd":null,
                   "Ulimits":null,"NetworkMode":null,"Runtime":null,"OomScoreAdj":null}}
                """;
        var node = Json.MAPPER.readTree(body);
        ContainerConfig c = Json.MAPPER.treeToValue(node, ContainerConfig.class);
        HostConfig h = HostConfigDefaults.normalize(Json.MAPPER.treeToValue(node.get("HostConfig"), HostConfig.class));
        assertEquals(List.of("echo hi"), c.cmd());
        assertFalse(c.tty());
        assertEquals("default", h.networkMode());
        assertEquals("no", h.restartPolicy().name());
        assertNull(h.init());
        assertEquals(Map.of(), h.logConfig().config());
    }

    @Test
    void waitBodyHasExplicitNullError() throws Exception {
        assertEquals("{\"Error\":null,\"StatusCode\":3}",
                Json.MAPPER.writeValueAsString(new ContainerWaitResponse(null, 3)));
    }

    @Test
    void metaRoundTrips() throws Exception {
        ContainerMeta m = container("f".repeat(64), "x").meta();
        assertEquals(m, Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(m), ContainerMeta.class));
    }
}
