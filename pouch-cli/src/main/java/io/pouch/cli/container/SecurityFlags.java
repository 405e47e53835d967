package io.pouch.cli.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static io.pouch.cli.container.FlagValues.invalid;
import static io.pouch.cli.container.FlagValues.putString;
import static io.pouch.cli.container.FlagValues.putStrings;

/**
 * Privileges and isolation of run/create: capabilities, security options, namespaces, sysctls, groups, the cgroup
 * parent, init, read-only rootfs; checked and normalised as the docker CLI does before it sends HostConfig.
 */
public final class SecurityFlags {
    private static final Set<String> SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    @Option(names = "--privileged", description = "Give extended privileges to this container")
    boolean privileged;

    @Option(names = "--cap-add", description = "Add Linux capabilities")
    List<String> capAdd = new ArrayList<>();

    @Option(names = "--cap-drop", description = "Drop Linux capabilities")
    List<String> capDrop = new ArrayList<>();

    @Option(names = "--security-opt", description = "Security Options")
    List<String> securityOpt = new ArrayList<>();

    @Option(names = "--read-only", description = "Mount the container's root filesystem as read only")
    boolean readOnly;

    @Option(names = "--init", description = "Run an init inside the container that forwards signals and reaps processes")
    boolean init;

    @Option(names = "--userns", description = "User namespace to use")
    String userns;

    @Option(names = "--ipc", description = "IPC mode to use")
    String ipc;

    @Option(names = "--pid", description = "PID namespace to use")
    String pid;

    @Option(names = "--uts", description = "UTS namespace to use")
    String uts;

    @Option(names = "--cgroupns", description = "Cgroup namespace to use (host|private)")
    String cgroupns;

    @Option(names = "--cgroup-parent", description = "Optional parent cgroup for the container")
    String cgroupParent;

    @Option(names = "--group-add", description = "Add additional groups to join")
    List<String> groupAdd = new ArrayList<>();

    @Option(names = "--sysctl", paramLabel = "KEY=VALUE", description = "Sysctl options")
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--isolation", description = "Container isolation technology")
    String isolation;

    void apply(ObjectNode hc) {
        if (privileged) {
            hc.put("Privileged", true);
        }
        if (readOnly) {
            hc.put("ReadonlyRootfs", true);
        }
        if (init) {
            hc.put("Init", true);
        }
        putStrings(hc, "CapAdd", capabilities(capAdd));
        putStrings(hc, "CapDrop", capabilities(capDrop));
        putStrings(hc, "SecurityOpt", securityOpts(securityOpt));
        if (pid != null && !pid.isEmpty() && !pid.equals("host") && !isContainerMode(pid)) {
            throw new CliException("--pid: invalid PID mode", 125);
        }
        if (uts != null && !uts.isEmpty() && !uts.equals("host")) {
            throw new CliException("--uts: invalid UTS mode", 125);
        }
        if (userns != null && !userns.isEmpty() && !userns.equals("host")) {
            throw new CliException("--userns: invalid USER mode", 125);
        }
        if (cgroupns != null && !cgroupns.isEmpty() && !cgroupns.equals("host") && !cgroupns.equals("private")) {
            throw new CliException("--cgroupns: invalid CGROUP mode", 125);
        }
        putString(hc, "IpcMode", ipc);
        putString(hc, "PidMode", pid);
        putString(hc, "UTSMode", uts);
        putString(hc, "UsernsMode", userns);
        putString(hc, "CgroupnsMode", cgroupns);
        putString(hc, "CgroupParent", cgroupParent);
        putString(hc, "Isolation", isolation);
        putStrings(hc, "GroupAdd", groupAdd);
        for (String s : sysctls) {
            int eq = s.indexOf('=');
            String key = eq < 0 ? "" : s.substring(0, eq);
            if (key.isEmpty() || !(SYSCTLS.contains(key) || key.startsWith("net.") || key.startsWith("fs.mqueue."))) {
                throw invalid("--sysctl", s, "sysctl '" + s + "' is not allowed");
            }
        }
        FlagValues.putMap(hc, "Sysctls", sysctls);
    }

    private static boolean isContainerMode(String mode) {
        return mode.startsWith("container:") && mode.length() > "container:".length();
    }

    /** Upper case, CAP_ prefixed (ALL stays ALL), without duplicates, sorted: what the docker CLI sends. */
    static List<String> capabilities(List<String> caps) {
        TreeSet<String> out = new TreeSet<>();
        for (String c : caps) {
            String u = c.toUpperCase(Locale.ROOT);
            out.add(u.equals("ALL") || u.startsWith("CAP_") ? u : "CAP_" + u);
        }
        return new ArrayList<>(out);
    }

    /**
     * KEY=VALUE (or the old KEY:VALUE) options; {@code seccomp=<file>} other than the built-in names sends the
     * profile itself, compacted, since the daemon cannot read the client's files.
     */
    static List<String> securityOpts(List<String> opts) {
        List<String> out = new ArrayList<>();
        for (String opt : opts) {
            int sep = opt.indexOf('=');
            if (sep < 0 && !opt.equals("no-new-privileges")) {
                sep = opt.indexOf(':');
            }
            String key = sep < 0 ? opt : opt.substring(0, sep);
            String value = sep < 0 ? "" : opt.substring(sep + 1);
            if (value.isEmpty() && !key.equals("no-new-privileges")) {
                throw new CliException("Invalid --security-opt: \"" + opt + "\"", 125);
            }
            if (key.equals("seccomp") && !value.equals("builtin") && !value.equals("unconfined")) {
                String profile;
                try {
                    profile = Files.readString(Path.of(value));
                } catch (IOException e) {
                    throw new CliException("opening seccomp profile (" + value + ") failed: open " + value
                            + ": no such file or directory", 125);
                }
                try {
                    JsonNode json = Json.MAPPER.readTree(profile);
                    out.add("seccomp=" + Json.MAPPER.writeValueAsString(json));
                } catch (JsonProcessingException e) {
                    throw new CliException("compacting json for seccomp profile (" + value + ") failed: "
                            + e.getOriginalMessage(), 125);
                }
                continue;
            }
            out.add(opt);
        }
        return out;
    }
}
