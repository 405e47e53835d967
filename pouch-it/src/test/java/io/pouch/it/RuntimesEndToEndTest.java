package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several OCI runtimes under one daemon: runc, gVisor's runsc and runsc-kvm, crun, a runtime added by
 * {@code --add-runtime} and one by the config file's {@code add-runtime}, each chosen per container with
 * {@code --runtime}.
 */
@Tag("e2e")
class RuntimesEndToEndTest {
    private static final String GVISOR_BOOT = "Starting gVisor...";
    private static PouchdHarness h;
    private static Path base;

    @BeforeAll
    static void daemon() {
        h = PouchdHarness.startPrivate("prt", dir -> {
            try {
                recorder(dir, "recorded-runc", "flag.log");
                recorder(dir, "file-runc", "file.log");
                Files.writeString(dir.resolve("no-config.json"), """
                        {"add-runtime": {"fromfile": {"path": "%s", "runtimeArgs": ["--log-format", "json"]}}}
                        """.formatted(dir.resolve("file-runc")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, List.of("--add-runtime", "fromflag=$BASE/recorded-runc"));
        base = h.base();
    }

    /** A runtime that writes down every command line it is given, then is runc. */
    private static void recorder(Path dir, String name, String log) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + dir.resolve(log) + "'\nexec runc \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostKernel() throws IOException {
        return Files.readString(Path.of("/proc/version")).trim();
    }

    @Test
    void runscShowsTheGvisorKernelAndRuncTheHosts() throws IOException {
        String n = name("gv");
        try {
            String out = h.docker("run", "--name", n, "--runtime", "runsc", "busybox", "sh", "-c",
                    "dmesg; cat /proc/version").ok().out();
            assertTrue(out.contains(GVISOR_BOOT), out);
            assertFalse(out.contains(hostKernel()), out);
            assertEquals("runsc", h.docker("inspect", "-f", "{{.HostConfig.Runtime}}", n).ok().trimmed());
        } finally {
            h.docker("rm", "-f", n);
        }
        String plain = h.docker("run", "--rm", "busybox", "sh", "-c", "dmesg 2>&1; cat /proc/version").ok().out();
        assertTrue(plain.contains(hostKernel()), plain);
        assertFalse(plain.contains(GVISOR_BOOT), plain);
    }

    @Test
    void runscKvmRunsOnHardwareVirtualisationAndIsRefusedWithoutIt() throws IOException {
        Cmd.Result r = h.docker("run", "--rm", "--runtime", "runsc-kvm", "busybox", "sh", "-c",
                "dmesg; cat /proc/version");
        boolean vmx = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                .anyMatch(l -> List.of(l.split("\\s+")).contains("vmx") || List.of(l.split("\\s+")).contains("svm"));
        if (vmx && Files.exists(Path.of("/dev/kvm"))) {
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().contains(GVISOR_BOOT), r.toString());
        } else {
            assertEquals(125, r.exit(), r.toString());
            assertTrue(r.err().contains("runtime runsc-kvm cannot run on this host: gVisor's KVM platform needs"
                    + " hardware virtualization, and this CPU offers none (no vmx or svm flag in /proc/cpuinfo)"),
                    r.toString());
        }
    }

    @Test
    void execLogsAndNetworksUnderRunsc() throws IOException {
        String n = name("gx");
        try {
            h.docker("run", "-d", "--name", n, "--runtime", "runsc", "busybox", "sh", "-c",
                    "echo started; sleep 300").ok();
            String version = h.docker("exec", n, "cat", "/proc/version").ok().trimmed();
            assertFalse(version.isEmpty());
            assertFalse(version.equals(hostKernel()), version);
            assertTrue(h.docker("exec", n, "dmesg").ok().out().contains(GVISOR_BOOT));
            assertEquals("started", h.docker("logs", n).ok().trimmed());
            // the sandbox is in the container's namespace on the bridge, with the address the engine gave it
            String ip = h.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", n).ok().trimmed();
            String addr = h.docker("exec", n, "ip", "-4", "addr", "show", "eth0").ok().out();
            assertTrue(addr.contains("inet " + ip + "/"), addr);
            Cmd.Result top = h.docker("top", n);
            assertEquals(1, top.exit(), top.toString());
            assertTrue(top.err().contains("top cannot list the processes of container"), top.toString());
            assertTrue(h.docker("exec", n, "ps").ok().out().contains("sleep 300"));
            h.docker("stop", "-t", "1", n).ok();
            h.docker("start", n).ok();
            assertEquals("again", h.docker("exec", n, "echo", "again").ok().trimmed());
        } finally {
            h.docker("rm", "-f", n);
        }
        String hostNet = h.docker("run", "--rm", "--runtime", "runsc", "--network", "host", "busybox", "sh", "-c",
                "ip -4 addr; cat /proc/version").ok().out();
        assertTrue(hostNet.contains("inet " + h.gateway() + "/"), "the host's interfaces: " + hostNet);
        assertFalse(hostNet.contains(hostKernel()), hostNet);

        Cmd.Result priv = h.docker("run", "--rm", "--runtime", "runsc", "--privileged", "busybox", "true");
        assertEquals(125, priv.exit(), priv.toString());
        assertTrue(priv.err().contains("runtime runsc cannot run a --privileged container"), priv.toString());
    }

    @Test
    void aTerminalUnderRunscAsUnderRunc() {
        String isatty = "test -t 1 && echo terminal || echo none";
        assertEquals("terminal", h.docker("run", "--rm", "-t", "busybox", "sh", "-c", isatty).ok().trimmed());
        assertEquals("terminal", h.docker("run", "--rm", "-t", "--runtime", "runsc", "busybox", "sh", "-c", isatty)
                .ok().trimmed());
        assertEquals("none", h.docker("run", "--rm", "--runtime", "runsc", "busybox", "sh", "-c", isatty).ok()
                .trimmed());
        String n = name("gt");
        try {
            h.docker("run", "-d", "--name", n, "--runtime", "runsc", "busybox", "sleep", "300").ok();
            assertEquals("terminal", h.docker("exec", "-t", n, "sh", "-c", isatty).ok().trimmed());
        } finally {
            h.docker("rm", "-f", n);
        }
    }

    @Test
    void anUnknownRuntimeIsRefusedNamingItAndTheKnownOnes() {
        Cmd.Result r = h.docker("run", "--rm", "--runtime", "nope", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().contains("Unknown runtime specified nope (known runtimes: crun, fromfile, fromflag, runc,"
                + " runsc, runsc-kvm)"), r.toString());
    }

    @Test
    void runtimesAddedByFlagAndByConfigRunContainersAndAreListedByInfo() throws IOException {
        assertEquals("via-flag", h.docker("run", "--rm", "--runtime", "fromflag", "busybox", "echo", "via-flag").ok()
                .trimmed());
        List<String> flagLog = Files.readAllLines(base.resolve("flag.log"));
        assertTrue(flagLog.stream().anyMatch(l -> l.contains(" create ") && l.contains("--bundle")), flagLog.toString());

        assertEquals("via-file", h.docker("run", "--rm", "--runtime", "fromfile", "busybox", "echo", "via-file").ok()
                .trimmed());
        List<String> fileLog = Files.readAllLines(base.resolve("file.log"));
        assertTrue(fileLog.stream().allMatch(l -> l.startsWith("--log-format json ")), "runtimeArgs come first: "
                + fileLog);
        assertTrue(fileLog.stream().anyMatch(l -> l.contains(" create ")), fileLog.toString());

        String info = h.docker("info", "--format", "{{json .Runtimes}}").ok().trimmed();
        for (String expected : List.of(
                "\"fromflag\":{\"path\":\"" + base.resolve("recorded-runc") + "\"}",
                "\"fromfile\":{\"path\":\"" + base.resolve("file-runc") + "\",\"runtimeArgs\":[\"--log-format\","
                        + "\"json\"]}",
                "\"runc\":{\"path\":\"runc\"}",
                "\"runsc\":{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--network=host\"]}",
                "\"runsc-kvm\":{\"path\":\"/usr/bin/runsc\",\"runtimeArgs\":[\"--network=host\",\"--platform=kvm\"]}")) {
            assertTrue(info.contains(expected), expected + " in " + info);
        }
        assertEquals("runc", h.docker("info", "--format", "{{.DefaultRuntime}}").ok().trimmed());
    }

    @Test
    void crunIsRefusedAtCreateOnAHybridCgroupHost() throws IOException {
        Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        boolean hybrid = Files.exists(unified) && !Files.readString(unified).isBlank();
        Cmd.Result r = h.docker("run", "--rm", "--runtime", "crun", "busybox", "true");
        if (hybrid) {
            assertEquals(125, r.exit(), r.toString());
            assertTrue(r.err().contains("runtime crun cannot run on this host: cgroups in hybrid mode not supported,"
                    + " drop all controllers from cgroupv2"), r.toString());
        } else {
            assertEquals(0, r.exit(), r.toString());
        }
    }
}
