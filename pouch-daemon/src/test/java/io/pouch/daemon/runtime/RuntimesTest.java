package io.pouch.daemon.runtime;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.containerd.RuncOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimesTest {
    @TempDir
    Path tmp;

    @Test
    void flagsAndTheFileAddRuntimesInPouchsShapes() {
        Map<String, OciRuntime> added = AddedRuntimes.parse(List.of("mine=/opt/mine"), Map.of(
                "traced", Map.of("path", "/usr/sbin/runc", "runtimeArgs", List.of("--debug")),
                "rooted", Map.of("options", Map.of("BinaryName", "/usr/sbin/runc", "Root", "/run/rooted",
                        "NoPivotRoot", true, "IoUid", 5)),
                "bare", Map.of()));
        assertEquals(new OciRuntime("mine", "/opt/mine", List.of(), RuncOptions.binary("/opt/mine")),
                added.get("mine"));
        assertEquals(List.of("--debug"), added.get("traced").runtimeArgs());
        assertEquals(new RuncOptions("/usr/sbin/runc", "/run/rooted", true, false, null, 5, 0),
                added.get("rooted").shim());
        assertEquals("bare", added.get("bare").path(), "a runtime without a path is its name on PATH (Pouch)");
    }

    @Test
    void badAdditionsAreRefusedNamingWhatIsWrong() {
        assertEquals("invalid runtime nope, correct format must be runtime=path",
                refused(() -> AddedRuntimes.parse(List.of("nope"), null)));
        assertEquals("runtime a already registers to daemon",
                refused(() -> AddedRuntimes.parse(List.of("a=/x", "a=/y"), null)));
        assertTrue(refused(() -> AddedRuntimes.parse(List.of("a=/x"), Map.of("a", Map.of("path", "/y"))))
                .contains("runtime a is given both by --add-runtime and in the configuration file"));
        assertTrue(refused(() -> AddedRuntimes.parse(null, Map.of("a", Map.of("runtimeType",
                "io.containerd.kata.v2")))).contains("runtimeType io.containerd.kata.v2 is not available"));
        assertTrue(refused(() -> AddedRuntimes.parse(null, Map.of("a", Map.of("options",
                Map.of("CriuPath", "/x"))))).contains("unknown option \"CriuPath\""));
        assertTrue(refused(() -> AddedRuntimes.parse(null, Map.of("a", Map.of("options",
                Map.of("SystemdCgroup", true))))).contains("SystemdCgroup true is not supported"));
        assertTrue(refused(() -> AddedRuntimes.parse(null, Map.of("a", Map.of("args", List.of()))))
                .contains("unknown key \"args\" in add-runtime \"a\""));
        assertTrue(refused(() -> AddedRuntimes.parse(null, Map.of("../x", Map.of())))
                .startsWith("invalid runtime name \"../x\""));
        assertTrue(refused(() -> AddedRuntimes.parse(null, List.of("x"))).startsWith("\"add-runtime\" must be"));
    }

    @Test
    void runtimesWithArgumentsRunThroughAWrapperScript() throws IOException {
        Runtimes r = Runtimes.create(null, AddedRuntimes.parse(null, Map.of("traced",
                Map.of("path", "/usr/sbin/runc", "runtimeArgs", List.of("--debug", "it's")))), tmp, tmp.resolve("rs"),
                true, rt -> null);
        assertEquals(List.of("runc", "crun", "runsc", "runsc-kvm", "traced"), List.copyOf(r.all().keySet()));
        assertEquals(List.of("--network=host", "--platform=kvm"), r.resolve("runsc-kvm").runtimeArgs());
        assertEquals("runc", r.resolve(null).name());
        Path script = tmp.resolve("traced");
        assertEquals(script.toString(), r.resolve("traced").shim().binaryName());
        assertEquals("#!/bin/sh\nexec '/usr/sbin/runc' '--debug' 'it'\\''s' \"$@\"\n", Files.readString(script));
        assertTrue(Files.isExecutable(script));
        OciRuntime kvm = r.resolve("runsc-kvm");
        assertEquals(tmp.resolve("runsc-kvm").toString(), kvm.shim().binaryName());
        assertEquals(tmp.resolve("rs").toString(), kvm.shim().root(), "gVisor's state is kept apart from runc's");
        assertTrue(kvm.gvisor());
        assertEquals("#!/bin/sh\nexec '/usr/bin/runsc' '--network=host' \"$@\"\n",
                Files.readString(tmp.resolve("runsc")));
        assertFalse(r.resolve("runc").gvisor());

        Files.writeString(tmp.resolve("gone"), "an earlier configuration's");
        Runtimes.create(null, Map.of(), tmp, tmp.resolve("rs"), false, rt -> null);
        assertFalse(Files.exists(tmp.resolve("gone")));
        assertFalse(Files.exists(script), "the scripts of runtimes no longer configured go");
    }

    @Test
    void unknownDefaultOrRequestedRuntimesAreRefusedListingTheKnownOnes() {
        assertEquals("default-runtime kata is not a runtime here (known runtimes: crun, runc)",
                refused(() -> Runtimes.create("kata", Map.of(), tmp, tmp, false, rt -> null)));
        Runtimes r = Runtimes.create("crun", Map.of(), tmp, tmp, false, rt -> null);
        assertEquals("crun", r.resolve("").name());
        assertEquals("Unknown runtime specified nope (known runtimes: crun, runc)",
                refused(() -> r.check(HostConfig.builder().runtime("nope").build())));
    }

    @Test
    void aRuntimeTheHostCannotRunIsRefusedWithTheReasonFoundOnce() {
        AtomicInteger probes = new AtomicInteger();
        Runtimes r = Runtimes.create(null, Map.of(), tmp, tmp, true, rt -> {
            probes.incrementAndGet();
            return rt.name().equals("crun") ? "cgroups in hybrid mode not supported" : null;
        });
        HostConfig crun = HostConfig.builder().runtime("crun").build();
        for (int i = 0; i < 2; i++) {
            assertEquals("runtime crun cannot run on this host: cgroups in hybrid mode not supported",
                    refused(() -> r.check(crun)));
        }
        assertEquals(1, probes.get());
        assertEquals("runc", r.check(HostConfig.empty()).name());
    }

    @Test
    void gvisorOnItsOwnNetworkStackRefusesTheHostsOrAnotherContainersNetwork() {
        Runtimes r = Runtimes.create(null, AddedRuntimes.parse(List.of("netstack=/usr/bin/runsc"), null), tmp, tmp,
                true, rt -> null);
        assertTrue(refused(() -> r.check(HostConfig.builder().runtime("netstack").networkMode("host").build()))
                .startsWith("runtime netstack cannot run with --network=host: gVisor's network stack"));
        assertTrue(refused(() -> r.check(HostConfig.builder().runtime("netstack").networkMode("container:abc")
                .build())).startsWith("runtime netstack cannot run with --network=container:abc"));
        assertEquals("netstack", r.check(HostConfig.builder().runtime("netstack").networkMode("none").build())
                .name());
        // the built-in ones use the host kernel's sockets in whatever namespace they are given
        assertEquals("runsc", r.check(HostConfig.builder().runtime("runsc").networkMode("host").build()).name());
        assertEquals("runc", r.check(HostConfig.builder().networkMode("host").build()).name());
        assertTrue(refused(() -> r.check(HostConfig.builder().runtime("runsc").privileged(true).build()))
                .startsWith("runtime runsc cannot run a --privileged container"));
    }

    @Test
    void kvmNeedsHardwareVirtualisation() throws IOException {
        Path kvm = Files.createFile(tmp.resolve("kvm"));
        Path cpuinfo = tmp.resolve("cpuinfo");
        Path modules = Files.createDirectories(tmp.resolve("module/kvm_pvm")).getParent();
        Files.writeString(cpuinfo, "processor\t: 0\nflags\t\t: fpu vme sse2 hypervisor\n");
        String problem = HostProbes.kvmProblem(kvm, cpuinfo, modules);
        assertTrue(problem.startsWith("gVisor's KVM platform needs hardware virtualization, and this CPU offers none"
                + " (no vmx or svm flag in " + cpuinfo + "); " + kvm + " here is kvm_pvm's (PVM"), problem);
        Files.writeString(cpuinfo, "flags\t\t: fpu vmx sse2\n");
        assertNull(HostProbes.kvmProblem(kvm, cpuinfo, modules));
        assertEquals("there is no " + tmp.resolve("none") + " on this host",
                HostProbes.kvmProblem(tmp.resolve("none"), cpuinfo, modules));
    }

    private static String refused(Runnable r) {
        PouchException e = assertThrows(PouchException.class, r::run);
        assertEquals(400, e.status());
        return e.getMessage();
    }
}
