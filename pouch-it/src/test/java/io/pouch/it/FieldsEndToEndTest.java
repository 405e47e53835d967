package io.pouch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Create fields the engine applies, each checked from inside the container it was given to, through the real
 * docker CLI: what a user who typed the flag would look for.
 */
@Tag("e2e")
class FieldsEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** {@code docker run --rm <flags> busybox sh -c <script>}: its stdout, lines trimmed. */
    private static List<String> run(List<String> flags, String script) {
        List<String> c = new ArrayList<>(List.of("run", "--rm"));
        c.addAll(flags);
        c.addAll(List.of("busybox", "sh", "-c", script));
        String out = d.docker(c.toArray(String[]::new)).ok().out();
        return Arrays.stream(out.split("\n")).map(String::strip).toList();
    }

    @Test
    void identityAndEnvironment() {
        List<String> out = run(List.of("--hostname", "fld-host", "--domainname", "example.test", "--user", "1234:5678",
                "--workdir", "/tmp", "-e", "FIELD=value", "--env", "OTHER"),
                "hostname; cat /proc/sys/kernel/domainname; id -u; id -g; pwd; echo $FIELD; echo ${OTHER-unset}");
        assertEquals(List.of("fld-host", "example.test", "1234", "5678", "/tmp", "value", "unset"), out);
    }

    @Test
    void filesystemFields() {
        List<String> out = run(List.of("--read-only", "--tmpfs", "/scratch:size=1m", "--shm-size", "8m"),
                "touch /x 2>/dev/null && echo rw || echo ro; touch /scratch/y && echo tmpfs-rw;"
                        + " df -k /dev/shm | tail -1 | awk '{print $2}'; df -k /scratch | tail -1 | awk '{print $2}'");
        assertEquals(List.of("ro", "tmpfs-rw", "8192", "1024"), out);
    }

    @Test
    void processFields() {
        List<String> out = run(List.of("--init", "--oom-score-adj", "500", "--ulimit", "nofile=512:1024"),
                "cat /proc/1/cmdline | tr '\\0' ' '; echo; cat /proc/self/oom_score_adj; ulimit -Sn; ulimit -Hn");
        assertEquals("/sbin/docker-init -- sh -c", out.get(0).substring(0, "/sbin/docker-init -- sh -c".length()));
        assertEquals(List.of("500", "512", "1024"), out.subList(1, 4));
    }

    @Test
    void maskedAndReadOnlyKernelPathsByDefault() {
        // a masked file is /dev/null (1:3) bound over it
        List<String> out = run(List.of(), "stat -c %t:%T /proc/timer_list; echo 1 > /proc/sys/kernel/domainname 2>/dev/null"
                + " && echo writable || echo read-only");
        assertEquals(List.of("1:3", "read-only"), out);
    }

    @Test
    void cgroupLimitsAreTheOnesAskedFor() {
        List<String> out = run(List.of("--memory", "64m", "--memory-swap", "96m", "--memory-reservation", "32m",
                        "--cpu-shares", "512", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-cpus", "0",
                        "--pids-limit", "77"),
                "cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes"
                        + " memory/memory.soft_limit_in_bytes cpu/cpu.shares cpu/cpu.cfs_period_us cpu/cpu.cfs_quota_us"
                        + " cpuset/cpuset.cpus pids/pids.max");
        assertEquals(List.of(String.valueOf(64 << 20), String.valueOf(96 << 20), String.valueOf(32 << 20), "512",
                "50000", "25000", "0", "77"), out);
        List<String> cpus = run(List.of("--cpus", "1.5"), "cat /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        assertEquals(List.of("100000", "150000"), cpus);
    }

    @Test
    void stopSignalReachesTheProcess() throws Exception {
        String n = name("fld-stop");
        d.docker("run", "-d", "--name", n, "--stop-signal", "USR1", "busybox", "sh", "-c",
                "trap 'echo got-usr1; exit 0' USR1; echo ready; while true; do sleep 0.1; done").ok();
        Await.until(Duration.ofSeconds(20), () -> d.docker("logs", n).out(), l -> l.contains("ready"), "container ready");
        d.docker("stop", n).ok();
        JsonNode state = JSON.readTree(d.docker("inspect", n).ok().out()).get(0).get("State");
        assertEquals(0, state.get("ExitCode").asInt(), state.toString());
        assertTrue(d.docker("logs", n).ok().out().contains("got-usr1"));
        d.docker("rm", n).ok();
    }

    @Test
    void aTerminalStartsAtTheConsoleSizeOfTheRequest() throws Exception {
        String n = name("fld-tty");
        String body = "{\"Image\":\"busybox\",\"Tty\":true,\"Cmd\":[\"stty\",\"size\"],"
                + "\"HostConfig\":{\"ConsoleSize\":[33,101]}}";
        Cmd.Result created = d.curl("/v1.47/containers/create?name=" + n, "-X", "POST",
                "-H", "Content-Type: application/json", "-d", body);
        assertTrue(created.out().endsWith("201"), created.toString());
        d.docker("start", n).ok();
        assertEquals("0", d.docker("wait", n).ok().trimmed());
        assertEquals("33 101", d.docker("logs", n).ok().trimmed());
        d.docker("rm", n).ok();
    }
}
