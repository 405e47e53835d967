package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.UserSpec;
import io.pouch.daemon.events.Event;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The process spec of an exec, built on the container's own process. */
class ExecSpecsTest {
    private final AtomicInteger reads = new AtomicInteger();
    /** The running container's files, as its task with pid 10 sees them. */
    private final Map<String, String> files = new HashMap<>(Map.of(
            "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndefault-user:x:1000:50000::/home:/bin/sh\n",
            "/etc/group", "root:x:0:\ngroup-defined-in-image:x:50000:default-user\n"));
    private final ExecSpecs specs = new ExecSpecs(id -> {
        reads.incrementAndGet();
        return ExecFixture.BASE_SPEC.getBytes(StandardCharsets.UTF_8);
    }, (pid, path) -> files.get(path));

    private static ContainerManager.ProcessView view(int pid, String user) {
        return view(pid, user, List.of());
    }

    private static ContainerManager.ProcessView view(int pid, String user, List<String> groupAdd) {
        return new ContainerManager.ProcessView("c1", "web", "busybox", "sha256:1", Map.of(), true, false, pid, user,
                false, groupAdd);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static ExecConfig cfg(boolean tty, List<String> env, String user, String workDir, boolean privileged) {
        return new ExecConfig(false, true, true, null, tty, env, List.of("sh", "-c", "id"), privileged, user, workDir);
    }

    private JsonNode spec(ContainerManager.ProcessView c, ExecConfig cfg) throws Exception {
        return Json.MAPPER.readTree(specs.processSpec(c, cfg));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void theExecsCommandEnvAndDirOnTheContainersProcess() throws Exception {
        JsonNode p = spec(view(10, ""), cfg(true, List.of("HOME=/home/x", "DEBUG", "LANG=C"), "", "/srv", false));
        assertEquals(List.of("sh", "-c", "id"), texts(p.get("args")));
        assertTrue(p.get("terminal").asBoolean());
        assertNull(p.get("consoleSize"), "the console size is the client's, given by resize");
        assertEquals(List.of("PATH=/bin", "HOME=/home/x", "DEBUG", "LANG=C"), texts(p.get("env")));
        assertEquals("/srv", p.get("cwd").asText());
        assertNull(p.get("user"), "no user: the container's own (none here)");
        assertEquals(List.of("CAP_CHOWN"), texts(p.get("capabilities").get("bounding")));
    }

    @Test
    void aRelativeWorkingDirIsRefused() {
        PouchException e = assertThrows(PouchException.class, () -> specs.processSpec(view(10, ""),
                cfg(false, null, "", "srv", false)));
        assertEquals(400, e.status());
        assertEquals("the working directory 'srv' is invalid, it needs to be an absolute path", e.getMessage());
    }

    @Test
    void aGivenGroupWinsAndTheContainersUserIsTheDefault() throws Exception {
        JsonNode u = spec(view(10, ""), cfg(false, null, "1000:50", null, false)).get("user");
        assertEquals(1000, u.get("uid").asInt());
        assertEquals(50, u.get("gid").asInt());
        assertEquals(List.of(50000), ints(u.get("additionalGids")), "the user's groups in the container's file");
        JsonNode fromContainer = spec(view(10, "7"), cfg(false, null, null, null, false)).get("user");
        assertEquals(7, fromContainer.get("uid").asInt());
        assertEquals(0, fromContainer.get("gid").asInt(), "a number with no passwd entry has group 0");
    }

    @Test
    void anExecRunsAsTheContainersProcessWasStarted() throws Exception {
        List<String> groupAdd = List.of("1234");
        UserSpec started = UserSpec.of("1000", groupAdd, files.get("/etc/passwd"), files.get("/etc/group"));
        for (String execUser : new String[] {null, "", "1000", "default-user"}) {
            JsonNode u = spec(view(10, "1000", groupAdd), cfg(false, null, execUser, null, false)).get("user");
            assertEquals(started.uid(), u.get("uid").asInt(), "exec user " + execUser);
            assertEquals(50000, u.get("gid").asInt(), "the primary group from passwd, exec user " + execUser);
            assertEquals(List.of(1234), ints(u.get("additionalGids")), "exec user " + execUser);
            assertEquals(started.gid(), u.get("gid").asInt());
            assertEquals(started.additionalGids(), ints(u.get("additionalGids")));
        }
    }

    @Test
    void aUserTheContainerDoesNotKnowIsRefusedByName() {
        PouchException e = assertThrows(PouchException.class, () -> specs.processSpec(view(10, ""),
                cfg(false, null, "nobody", null, false)));
        assertEquals(400, e.status());
        assertEquals("unable to find user nobody: no matching entries in passwd file", e.getMessage());
    }

    @Test
    void privilegedGetsEveryCapabilityOfTheHostAndMayGainPrivileges() throws Exception {
        JsonNode p = spec(view(10, ""), cfg(false, null, "", null, true));
        List<String> bounding = texts(p.get("capabilities").get("bounding"));
        assertTrue(bounding.contains("CAP_CHOWN"));
        assertTrue(bounding.size() > 1);
        assertEquals(bounding, texts(p.get("capabilities").get("effective")));
        assertFalse(p.get("noNewPrivileges").asBoolean(true));
    }

    @Test
    void theContainersProcessIsReadOncePerTaskUntilALifecycleEvent() throws Exception {
        spec(view(10, ""), cfg(false, null, "", null, false));
        spec(view(10, ""), cfg(false, null, "", null, false));
        assertEquals(1, reads.get());
        specs.onContainerEvent(Event.of("container", "exec_start: sh", "c1", Map.of()));
        spec(view(10, ""), cfg(false, null, "", null, false));
        assertEquals(1, reads.get(), "exec events leave the container's spec as it was");
        spec(view(11, ""), cfg(false, null, "", null, false));
        assertEquals(2, reads.get(), "a new task (restarted container): read again");
        specs.onContainerEvent(Event.of("container", "update", "c1", Map.of()));
        spec(view(11, ""), cfg(false, null, "", null, false));
        assertEquals(3, reads.get());
    }
}
