package io.pouch.daemon.runtime;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.containerd.RuncOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The OCI runtimes containers can be created with: runc (the default unless {@code default-runtime} says otherwise),
 * crun, gVisor's runsc and runsc-kvm when {@code /usr/bin/runsc} is installed, and the operator's additions (which
 * may replace a built-in of the same name). A runtime the host cannot run, or a container setting a runtime cannot
 * honour, is refused at create with the reason.
 */
public final class Runtimes {
    public static final Path RUNSC = Path.of("/usr/bin/runsc");
    /** gVisor's platform on KVM, as a runtime argument. */
    static final String KVM_PLATFORM = "--platform=kvm";
    /**
     * gVisor's sockets are the host kernel's, in the network namespace the container is given (hostinet). runsc
     * 20221219's own network stack cannot be used on this kernel generation: it takes every namespace for the
     * host's, because it tells them apart by {@code /proc/sys/net/core/rmem_default}, which newer kernels show in
     * every namespace, and refuses to start ("cannot run with network enabled in root network namespace").
     */
    static final String HOST_NETWORK = "--network=host";

    private final Map<String, OciRuntime> byName;
    private final String defaultName;
    private final Function<OciRuntime, String> probe;
    /** Each runtime's reason not to run here ("" when it can), found out once. */
    private final Map<String, String> problems = new ConcurrentHashMap<>();

    private Runtimes(Map<String, OciRuntime> byName, String defaultName, Function<OciRuntime, String> probe) {
        this.byName = Collections.unmodifiableMap(byName);
        this.defaultName = defaultName;
        this.probe = probe;
    }

    /**
     * The daemon's runtimes: the built-ins and {@code added}; the wrapper scripts of runtimes with arguments are
     * written to {@code <home-dir>/runtimes}, gVisor keeps its state under {@code <exec-root>/runsc}.
     *
     * @throws PouchException 400 when {@code default-runtime} names no runtime
     */
    public static Runtimes create(DaemonConfig cfg, Map<String, OciRuntime> added) {
        return create(cfg.defaultRuntime(), added, cfg.homeDir().resolve("runtimes"), cfg.execRoot().resolve("runsc"),
                Files.isExecutable(RUNSC), hostProbe(cfg.execRoot().resolve("runtime-probes")));
    }

    /**
     * @param scriptDir      where the wrapper scripts go (those of runtimes no longer configured are removed)
     * @param runscRoot      runsc's state root, apart from runc's
     * @param runscInstalled whether runsc and runsc-kvm are built in
     * @param probe          a runtime's reason not to run on this host, or null
     */
    public static Runtimes create(String defaultRuntime, Map<String, OciRuntime> added, Path scriptDir, Path runscRoot,
                           boolean runscInstalled, Function<OciRuntime, String> probe) {
        Map<String, OciRuntime> all = new LinkedHashMap<>();
        all.put("runc", new OciRuntime("runc", "runc", List.of(), RuncOptions.binary("runc")));
        all.put("crun", new OciRuntime("crun", "crun", List.of(), RuncOptions.binary("crun")));
        if (runscInstalled) {
            RuncOptions runsc = new RuncOptions(RUNSC.toString(), runscRoot.toString(), false, false, null, 0, 0);
            all.put("runsc", new OciRuntime("runsc", RUNSC.toString(), List.of(HOST_NETWORK), runsc));
            all.put("runsc-kvm", new OciRuntime("runsc-kvm", RUNSC.toString(), List.of(HOST_NETWORK, KVM_PLATFORM),
                    runsc));
        }
        all.putAll(added);
        String def = defaultRuntime == null || defaultRuntime.isEmpty() ? "runc" : defaultRuntime;
        if (!all.containsKey(def)) {
            throw PouchException.invalidArgument("default-runtime " + def + " is not a runtime here (known runtimes: "
                    + String.join(", ", all.keySet().stream().sorted().toList()) + ")");
        }
        writeScripts(all, scriptDir);
        return new Runtimes(all, def, probe);
    }

    /** The runtime a container created with {@code requested} (null or "": the default) runs with. */
    public OciRuntime resolve(String requested) {
        String name = requested == null || requested.isEmpty() ? defaultName : requested;
        OciRuntime rt = byName.get(name);
        if (rt == null) {
            throw PouchException.invalidArgument("Unknown runtime specified " + name + " (known runtimes: "
                    + String.join(", ", byName.keySet().stream().sorted().toList()) + ")");
        }
        return rt;
    }

    /**
     * Refuses, with the reason, a container this runtime cannot run: an unknown runtime, one this host cannot run,
     * a privileged gVisor container, or one on gVisor's own network stack asked for another container's or the
     * host's network namespace.
     */
    public OciRuntime check(HostConfig hc) {
        OciRuntime rt = resolve(hc.runtime());
        String problem = problems.computeIfAbsent(rt.name(), n -> {
            String p = probe.apply(rt);
            return p == null ? "" : p;
        });
        if (!problem.isEmpty()) {
            throw PouchException.invalidArgument("runtime " + rt.name() + " cannot run on this host: " + problem);
        }
        if (rt.gvisor() && !rt.runtimeArgs().contains(HOST_NETWORK)) { // gVisor's own network stack
            NetworkMode mode = NetworkMode.parse(hc.networkMode());
            if (mode.isHost() || mode.joinedContainer() != null) {
                throw PouchException.invalidArgument("runtime " + rt.name() + " cannot run with --network="
                        + mode.value() + ": gVisor's network stack takes over the interfaces of the namespace it"
                        + " is given, so it needs one of its own (a bridge network or none)");
            }
        }
        if (rt.gvisor() && hc.privileged()) {
            // measured with runsc 20221219: the sandbox dies while it starts ("cannot create sandbox: cannot read
            // client sync file"); a privileged container would not reach the host's devices through gVisor anyway
            throw PouchException.invalidArgument("runtime " + rt.name() + " cannot run a --privileged container:"
                    + " gVisor's sandbox does not start with the privileged settings (all host devices and"
                    + " capabilities, no seccomp)");
        }
        return rt;
    }

    public String defaultName() {
        return defaultName;
    }

    /** Every runtime by name, the built-ins first. */
    public Map<String, OciRuntime> all() {
        return byName;
    }

    private static Function<OciRuntime, String> hostProbe(Path probeDir) {
        return rt -> {
            if (rt.gvisor() && rt.runtimeArgs().contains(KVM_PLATFORM)) {
                return HostProbes.kvmProblem(Path.of("/dev/kvm"), Path.of("/proc/cpuinfo"), Path.of("/sys/module"));
            }
            if (rt.path().startsWith("/") && !Files.isExecutable(Path.of(rt.path()))) {
                return rt.path() + " is not an executable file";
            }
            Path file = Path.of(rt.path()).getFileName();
            if (file != null && file.toString().equals("crun")) {
                return HostProbes.crunCgroupProblem(rt.path(), probeDir);
            }
            return null;
        };
    }

    private static void writeScripts(Map<String, OciRuntime> all, Path dir) {
        try {
            for (Map.Entry<String, OciRuntime> e : all.entrySet()) {
                OciRuntime rt = e.getValue();
                if (rt.runtimeArgs().isEmpty()) {
                    continue;
                }
                Files.createDirectories(dir);
                Path script = dir.resolve(rt.name());
                Path tmp = dir.resolve("." + rt.name() + ".new");
                // exec: the shim waits for, signals and reads the pid file of the process it started
                Files.writeString(tmp, "#!/bin/sh\nexec " + Stream.concat(Stream.of(rt.path()),
                        rt.runtimeArgs().stream()).map(Runtimes::quote).collect(Collectors.joining(" "))
                        + " \"$@\"\n");
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                // replaced in one step: the shims of running containers call their script at any time
                Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                e.setValue(rt.withShim(rt.shim().withBinaryName(script.toString())));
            }
            if (Files.isDirectory(dir)) { // the scripts of runtimes no longer configured
                try (Stream<Path> old = Files.list(dir)) {
                    for (Path p : old.toList()) {
                        OciRuntime rt = all.get(p.getFileName().toString());
                        if (rt == null || rt.runtimeArgs().isEmpty()) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the runtime scripts in " + dir, e);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
