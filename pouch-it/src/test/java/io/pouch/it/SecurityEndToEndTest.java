package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Namespace modes, supplementary groups, seccomp, no-new-privileges, privileged and sysctls through the real docker
 * CLI, each checked from inside a container (namespace ids against this host's and another container's,
 * /proc/self/status, id -G, /proc/sys) and each refusal with its message.
 */
@Tag("e2e")
class SecurityEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static String hostNs(String type) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/ns/" + type)).toString();
    }

    private static String run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "run";
        all[1] = "--rm";
        System.arraycopy(args, 0, all, 2, args.length);
        return d.docker(all).ok().trimmed();
    }

    private static Cmd.Result refused(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "run";
        all[1] = "--rm";
        System.arraycopy(args, 0, all, 2, args.length);
        Cmd.Result r = d.docker(all);
        assertNotEquals(0, r.exit(), r.toString());
        return r;
    }

    @Test
    void hostNamespaceModesShareTheHostsNamespaces() throws Exception {
        for (String type : new String[]{"pid", "ipc", "uts", "cgroup"}) {
            String own = run("busybox", "readlink", "/proc/self/ns/" + type);
            if (type.equals("cgroup")) {
                assertEquals(hostNs(type), own, "cgroup v1: the host's cgroup namespace by default, as dockerd");
            } else {
                assertNotEquals(hostNs(type), own, type);
            }
        }
        assertEquals(hostNs("pid"), run("--pid", "host", "busybox", "readlink", "/proc/self/ns/pid"));
        assertEquals(hostNs("ipc"), run("--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc"));
        assertEquals(hostNs("uts"), run("--uts", "host", "busybox", "readlink", "/proc/self/ns/uts"));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(),
                run("--uts", "host", "busybox", "hostname"));
        assertNotEquals(hostNs("cgroup"), run("--cgroupns", "private", "busybox", "readlink", "/proc/self/ns/cgroup"));
        // host IPC sees the host's /dev/shm
        Path marker = Path.of("/dev/shm", name("pouch-it"));
        Files.writeString(marker, "x");
        try {
            assertEquals("x", run("--ipc", "host", "busybox", "cat", marker.toString()));
        } finally {
            Files.deleteIfExists(marker);
        }
        String c = name("insp");
        d.docker("create", "--name", c, "--pid", "host", "--uts", "host", "--cgroupns", "private", "busybox", "true")
                .ok();
        try {
            assertEquals("host host private", d.docker("inspect", "-f",
                    "{{.HostConfig.PidMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupnsMode}}", c).ok().trimmed());
        } finally {
            d.docker("rm", "-f", c);
        }
        Cmd.Result r = refused("--uts", "host", "-h", "h1", "busybox", "true");
        assertTrue(r.err().contains("conflicting options: hostname and the UTS mode"), r.toString());
        Cmd.Result bad = d.curl("/v1.47/containers/create", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"PidMode\":\"foo\"}}");
        assertTrue(bad.out().endsWith("\n400") && bad.out().contains("invalid PID mode: foo"), bad.toString());
        Cmd.Result userns = d.curl("/v1.47/containers/create", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"UsernsMode\":\"private\"}}");
        assertTrue(userns.out().endsWith("\n400") && userns.out().contains("user namespaces are not supported"),
                userns.toString());
    }

    @Test
    void containerModesJoinAnotherContainersPidAndIpcNamespaces() throws Exception {
        String donor = name("donor");
        String fullId = d.docker("run", "-d", "--name", donor, "--ipc", "shareable", "busybox", "sleep", "600")
                .ok().trimmed();
        String privateOne = name("priv");
        d.docker("run", "-d", "--name", privateOne, "busybox", "sleep", "600").ok();
        String joiner = name("joiner");
        try {
            String pidNs = d.docker("exec", donor, "readlink", "/proc/self/ns/pid").ok().trimmed();
            String ipcNs = d.docker("exec", donor, "readlink", "/proc/self/ns/ipc").ok().trimmed();
            assertEquals(pidNs, run("--pid", "container:" + donor, "busybox", "readlink", "/proc/self/ns/pid"));
            // the joiner sees the donor's processes
            assertTrue(run("--pid", "container:" + donor, "busybox", "ps", "-o", "args").contains("sleep 600"));
            // IPC: the same namespace and the same /dev/shm
            d.docker("exec", donor, "sh", "-c", "echo shared > /dev/shm/m").ok();
            assertEquals(ipcNs + " shared", run("--ipc", "container:" + donor, "busybox", "sh", "-c",
                    "echo $(readlink /proc/self/ns/ipc) $(cat /dev/shm/m)"));
            d.docker("create", "--name", joiner, "--pid", "container:" + donor, "busybox", "sleep", "600").ok();
            assertEquals("container:" + fullId, d.docker("inspect", "-f", "{{.HostConfig.PidMode}}", joiner)
                    .ok().trimmed());
            d.docker("start", joiner).ok();
            // a private IPC namespace is not lent (dockerd's hint)
            Cmd.Result r = refused("--ipc", "container:" + privateOne, "busybox", "true");
            assertTrue(r.err().contains("non-shareable IPC (hint: use IpcMode:shareable for the donor container)"),
                    r.toString());
            Cmd.Result unknown = refused("--pid", "container:nosuch-" + UUID.randomUUID(), "busybox", "true");
            assertTrue(unknown.err().contains("No such container: nosuch-"), unknown.toString());
            // when the PID namespace's first process ends, the kernel ends every other process in it
            d.docker("stop", "-t", "0", donor).ok();
            Await.until(Duration.ofSeconds(30), () -> d.docker("inspect", "-f", "{{.State.Running}}", joiner)
                    .ok().trimmed(), "false"::equals, "the joiner ends with its PID namespace");
            // the donor's shareable /dev/shm is unmounted from the host when it stops
            Await.until(Duration.ofSeconds(30), SecurityEndToEndTest::mountinfo,
                    m -> !m.contains(fullId + "/shm"), "no shm tmpfs left for " + fullId);
            Cmd.Result again = d.docker("start", joiner);
            assertNotEquals(0, again.exit());
            assertTrue(again.err().contains("container " + fullId + " is not running"), again.toString());
        } finally {
            d.docker("rm", "-f", joiner, privateOne, donor);
        }
    }

    @Test
    void ipcNoneHasNoDevShm() {
        Cmd.Result r = d.docker("run", "--rm", "--ipc", "none", "busybox", "ls", "-d", "/dev/shm");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("No such file or directory"), r.toString());
        assertEquals("/dev/shm", run("--ipc", "private", "busybox", "ls", "-d", "/dev/shm"));
    }

    @Test
    void groupAddAddsTheImagesGroupsByNameAndNumber() {
        Set<String> groups = Arrays.stream(run("--group-add", "nobody", "--group-add", "4242", "busybox", "id", "-G")
                .split(" ")).collect(Collectors.toSet());
        assertEquals(Set.of("0", "65534", "4242"), groups);
        // every exec gets them too, also with its own user (dockerd's behaviour)
        String c = name("groups");
        d.docker("run", "-d", "--name", c, "--group-add", "nobody", "busybox", "sleep", "600").ok();
        try {
            assertEquals("0 65534", d.docker("exec", c, "id", "-G").ok().trimmed());
            assertEquals("0 65534", d.docker("exec", "-u", "root", c, "id", "-G").ok().trimmed());
        } finally {
            d.docker("rm", "-f", c);
        }
        Cmd.Result r = refused("--group-add", "wheel", "busybox", "true");
        assertTrue(r.err().contains("Unable to find group wheel: no matching entries in group file"), r.toString());
    }

    private static String status(String field, String... runArgs) {
        String[] all = Arrays.copyOf(runArgs, runArgs.length + 3);
        all[runArgs.length] = "grep";
        all[runArgs.length + 1] = "^" + field + ":";
        all[runArgs.length + 2] = "/proc/self/status";
        String line = run(all);
        return line.substring(line.indexOf(':') + 1).trim();
    }

    @Test
    void seccompNoNewPrivilegesAndCapabilitiesAsDockerd() throws Exception {
        assertEquals("2", status("Seccomp", "busybox"));
        assertEquals("0", status("NoNewPrivs", "busybox"));
        assertEquals("00000000a80425fb", status("CapEff", "busybox"), "Docker's default capability set");
        assertEquals("1", status("NoNewPrivs", "--security-opt", "no-new-privileges", "busybox"));
        assertEquals("0", status("NoNewPrivs", "--security-opt", "no-new-privileges=false", "busybox"));
        assertEquals("0", status("Seccomp", "--security-opt", "seccomp=unconfined", "busybox"));
        assertEquals("0000000000000000", status("CapEff", "--cap-drop", "ALL", "busybox"));
        String bounding = hostStatus("CapBnd");
        assertEquals(bounding, status("CapEff", "--cap-add", "ALL", "busybox"));
        // Docker's default profile keeps mount and unshare from an unprivileged container
        Cmd.Result unshare = d.docker("run", "--rm", "busybox", "unshare", "-U", "true");
        assertNotEquals(0, unshare.exit(), unshare.toString());
        assertTrue(unshare.err().contains("Operation not permitted"), unshare.toString());
        // a profile of the user's: the CLI reads the file and sends its JSON
        Path profile = Files.createTempFile("pouch-it-seccomp", ".json");
        try {
            Files.writeString(profile, """
                    {"defaultAction":"SCMP_ACT_ALLOW",
                     "syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}""");
            Cmd.Result mkdir = d.docker("run", "--rm", "--security-opt", "seccomp=" + profile, "busybox", "mkdir",
                    "/tmp/x");
            assertNotEquals(0, mkdir.exit());
            assertTrue(mkdir.err().contains("Operation not permitted"), mkdir.toString());
            assertEquals("", run("busybox", "mkdir", "/tmp/x"), "the default profile allows it");
        } finally {
            Files.deleteIfExists(profile);
        }
        Cmd.Result bad = d.curl("/v1.47/containers/create", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"SecurityOpt\":[\"seccomp={bad\"]}}");
        assertTrue(bad.out().endsWith("\n400") && bad.out().contains("Decoding seccomp profile failed"),
                bad.toString());
        Cmd.Result unknown = refused("--security-opt", "foo=bar", "busybox", "true");
        assertTrue(unknown.err().contains("invalid --security-opt 2: \"foo=bar\""), unknown.toString());
        Cmd.Result apparmor = refused("--security-opt", "apparmor=docker-default", "busybox", "true");
        assertTrue(apparmor.err().contains("AppArmor is not enabled on this host"), apparmor.toString());
        Cmd.Result label = refused("--security-opt", "label=type:spc_t", "busybox", "true");
        assertTrue(label.err().contains("SELinux"), label.toString());
        assertEquals("2", status("Seccomp", "--security-opt", "label=disable", "busybox"));
        // systempaths=unconfined: the CLI sends empty MaskedPaths/ReadonlyPaths
        assertEquals("0", run("busybox", "sh", "-c", "wc -c < /proc/timer_list"), "masked: an empty file");
        assertNotEquals("0", run("--security-opt", "systempaths=unconfined", "busybox", "sh", "-c",
                "wc -c < /proc/timer_list"));
    }

    private static String mountinfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String hostStatus(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new AssertionError(field);
    }

    @Test
    void privilegedHasTheHostsDevicesAndNoSeccomp() throws Exception {
        assertEquals("0", status("Seccomp", "--privileged", "busybox"));
        assertEquals(hostStatus("CapBnd"), status("CapEff", "--privileged", "busybox"));
        String devices = run("--privileged", "busybox", "ls", "/dev");
        for (String dev : new String[]{"null", "zero", "tty", "kmsg", "mem"}) {
            if (Files.exists(Path.of("/dev", dev))) {
                assertTrue(devices.lines().anyMatch(dev::equals), dev + " in " + devices);
            }
        }
        assertTrue(run("busybox", "ls", "/dev").lines().noneMatch("kmsg"::equals), "not without --privileged");
    }

    @Test
    void namespacedSysctlsAreSetAndOthersRefused() {
        assertEquals("12345\n1", run("--sysctl", "kernel.shmmax=12345", "--sysctl", "net.ipv4.ip_forward=1",
                "busybox", "sh", "-c", "cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward"));
        String c = name("sysctl");
        d.docker("create", "--name", c, "--sysctl", "kernel.shmmax=12345", "busybox", "true").ok();
        try {
            assertEquals("{\"kernel.shmmax\":\"12345\"}",
                    d.docker("inspect", "-f", "{{json .HostConfig.Sysctls}}", c).ok().trimmed());
        } finally {
            d.docker("rm", "-f", c);
        }
        Cmd.Result host = refused("--network", "host", "--sysctl", "net.ipv4.ip_forward=1", "busybox", "true");
        assertTrue(host.err().contains("sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace"),
                host.toString());
        Cmd.Result ipc = refused("--ipc", "host", "--sysctl", "kernel.shmmax=1", "busybox", "true");
        assertTrue(ipc.err().contains("is not allowed in the hosts ipc namespace"), ipc.toString());
        Cmd.Result api = d.curl("/v1.47/containers/create", "-XPOST", "-H", "Content-Type: application/json", "-d",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"Sysctls\":{\"kernel.foo\":\"1\"}}}");
        assertTrue(api.out().endsWith("\n400") && api.out().contains("sysctl 'kernel.foo=1' is not allowed"),
                api.toString());
    }
}
