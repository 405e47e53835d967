package io.pouch.daemon.runtime;

import io.pouch.daemon.sys.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What this host lets a runtime do, found out before a container depends on it: a runtime that cannot run here
 * is refused at create with the reason, not deep inside a start.
 */
final class HostProbes {
    private HostProbes() {
    }

    /**
     * Runs {@code crun} once on an empty bundle and returns its complaint about the host's cgroups, or null when it
     * has none. crun 1.8 refuses a hybrid layout (cgroup v1 controllers beside a cgroup2 hierarchy that has
     * controllers of its own) before it creates anything, which a run of a bundle with nothing to execute shows
     * without side effects; on a host it accepts, the run fails later for the missing executable.
     */
    static String crunCgroupProblem(String crun, Path workDir) {
        String id = "pouch-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        Path bundle = workDir.resolve(id);
        try {
            Files.createDirectories(bundle.resolve("rootfs"));
            Files.writeString(bundle.resolve("config.json"), """
                    {"ociVersion": "1.0.2", "mounts": [], "root": {"path": "rootfs", "readonly": true},
                     "process": {"args": ["/pouch-runtime-probe"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
                     "linux": {"cgroupsPath": "/%s",
                               "namespaces": [{"type": "mount"}, {"type": "pid"}, {"type": "network"},
                                              {"type": "ipc"}, {"type": "uts"}]}}
                    """.formatted(id));
            Process p = new ProcessBuilder(crun, "--root", bundle.resolve("state").toString(), "run", "--bundle",
                    bundle.toString(), id).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null; // an answer we cannot read is no reason to refuse
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            quietly(crun, "--root", bundle.resolve("state").toString(), "delete", "--force", id);
            return p.exitValue() != 0 && out.contains("cgroup") ? lastLine(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            try {
                FileTrees.delete(bundle);
            } catch (IOException e) {
                // best effort: the work dir is pouchd's own
            }
        }
    }

    /**
     * Why gVisor's KVM platform cannot run here, or null when it can: it needs {@code /dev/kvm} backed by hardware
     * virtualization (vmx or svm). A {@code /dev/kvm} of another kind (kvm_pvm, the page-table based KVM of a
     * nested guest without VMX) accepts the sandbox, which then spins in its first guest entry and never starts
     * the container.
     */
    static String kvmProblem(Path devKvm, Path cpuinfo, Path modules) {
        if (!Files.exists(devKvm)) {
            return "there is no " + devKvm + " on this host";
        }
        String flags;
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            flags = lines.filter(l -> l.startsWith("flags")).findFirst().orElse("");
        } catch (IOException e) {
            return "cannot read " + cpuinfo + ": " + e.getMessage();
        }
        List<String> words = List.of(flags.split("\\s+"));
        if (words.contains("vmx") || words.contains("svm")) {
            return null;
        }
        String module = Stream.of("kvm_intel", "kvm_amd", "kvm_pvm").filter(m -> Files.isDirectory(modules.resolve(m)))
                .findFirst().orElse(null);
        return "gVisor's KVM platform needs hardware virtualization, and this CPU offers none (no vmx or svm flag in "
                + cpuinfo + ")" + (module == null ? "" : "; " + devKvm + " here is " + module + "'s"
                + (module.equals("kvm_pvm") ? " (PVM, for guests without VMX), on which the gVisor sandbox spins in"
                + " its first guest entry and never starts the container" : ""));
    }

    private static String lastLine(String out) {
        String[] lines = out.split("\n");
        return lines[lines.length - 1].trim();
    }

    private static void quietly(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // nothing was left to delete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
