package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.lxcfs.Lxcfs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the OCI runtime spec (what runc runs) of a container from its resolved settings. Pure: no I/O, every
 * fact about the host comes in through {@link Host}, so it is unit-tested without root.
 */
public final class OciSpecBuilder {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    public static final String INIT_PATH = "/sbin/docker-init";

    /** Docker's default masked and read-only /proc and /sys paths. */
    static final List<String> MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private static final Map<String, String> RLIMITS = Map.ofEntries(Map.entry("as", "RLIMIT_AS"),
            Map.entry("core", "RLIMIT_CORE"), Map.entry("cpu", "RLIMIT_CPU"), Map.entry("data", "RLIMIT_DATA"),
            Map.entry("fsize", "RLIMIT_FSIZE"), Map.entry("locks", "RLIMIT_LOCKS"),
            Map.entry("memlock", "RLIMIT_MEMLOCK"), Map.entry("msgqueue", "RLIMIT_MSGQUEUE"),
            Map.entry("nice", "RLIMIT_NICE"), Map.entry("nofile", "RLIMIT_NOFILE"), Map.entry("nproc", "RLIMIT_NPROC"),
            Map.entry("rss", "RLIMIT_RSS"), Map.entry("rtprio", "RLIMIT_RTPRIO"), Map.entry("rttime", "RLIMIT_RTTIME"),
            Map.entry("sigpending", "RLIMIT_SIGPENDING"), Map.entry("stack", "RLIMIT_STACK"));

    /**
     * What the host allows.
     *
     * @param capabilities   the bounding set of pouchd (containers can never hold more)
     * @param canRaiseLimits CAP_SYS_RESOURCE is in the bounding set: hard rlimits may be raised, oom_score_adj lowered
     * @param hardLimits     current hard rlimits of pouchd by RLIMIT_ name (what the shim and runc inherit)
     * @param cpus           online CPUs, for the NanoCpus range check
     */
    public record Host(Set<String> capabilities, boolean canRaiseLimits, Map<String, Long> hardLimits, int cpus) {
    }

    /**
     * Everything the spec is made from, already merged with the image's defaults.
     *
     * @param hostFiles the container's hostname, hosts and resolv.conf files (bind-mounted read-write, like Docker)
     * @param init      the host's docker-init/tini binary when HostConfig.Init is on, else null
     */
    public record Input(String id, String hostname, String domainname, List<String> args, List<String> env,
                        String cwd, UserSpec user, boolean tty, HostConfig hostConfig, List<Bind> binds,
                        Path hostnameFile, Path hostsFile, Path resolvConfFile, Path init) {
    }

    private OciSpecBuilder() {
    }

    public static ObjectNode build(Input in, Host host) {
        HostConfig hc = in.hostConfig() == null ? HostConfig.empty() : in.hostConfig();
        boolean privileged = hc.privileged();
        ObjectNode spec = Json.MAPPER.createObjectNode();
        spec.put("ociVersion", "1.0.2-dev");

        ObjectNode process = spec.putObject("process");
        process.put("terminal", in.tty());
        List<Integer> console = hc.consoleSize();
        if (in.tty() && console != null && console.size() == 2 && console.get(0) > 0 && console.get(1) > 0) {
            // the terminal's size from the first byte on, as dockerd does; the CLI's resize after start follows
            process.putObject("consoleSize").put("height", console.get(0)).put("width", console.get(1));
        }
        ObjectNode user = process.putObject("user");
        user.put("uid", in.user().uid());
        user.put("gid", in.user().gid());
        if (!in.user().additionalGids().isEmpty()) {
            ArrayNode gids = user.putArray("additionalGids");
            in.user().additionalGids().forEach(gids::add);
        }
        ArrayNode args = process.putArray("args");
        if (in.init() != null) {
            args.add(INIT_PATH).add("--");
        }
        in.args().forEach(args::add);
        ArrayNode env = process.putArray("env");
        in.env().forEach(env::add);
        process.put("cwd", in.cwd() == null || in.cwd().isEmpty() ? "/" : in.cwd());
        List<String> caps = Capabilities.compute(privileged, hc.capAdd(), hc.capDrop(), host.capabilities());
        ObjectNode capsNode = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = capsNode.putArray(set);
            caps.forEach(a::add);
        }
        process.set("rlimits", rlimits(hc.ulimits(), host));
        SecurityOptions security = SecurityOptions.parse(hc.securityOpt(), SecurityOptions.Lsm.HOST);
        process.put("noNewPrivileges", security.noNewPrivileges());
        if (security.apparmor() != null && SecurityOptions.Lsm.HOST.appArmor()) {
            process.put("apparmorProfile", security.apparmor());
        }
        if (hc.oomScoreAdj() != 0) {
            if (hc.oomScoreAdj() < -1000 || hc.oomScoreAdj() > 1000) {
                throw PouchException.invalidArgument("Invalid value " + hc.oomScoreAdj()
                        + ", range for oom score adj is [-1000, 1000]");
            }
            if (hc.oomScoreAdj() < 0 && !host.canRaiseLimits()) {
                throw PouchException.invalidArgument("a negative OomScoreAdj (" + hc.oomScoreAdj()
                        + ") needs CAP_SYS_RESOURCE, which this host's bounding set lacks; use 0 or more");
            }
        }
        // always written, as dockerd does: without it the process inherits the score of the shim, which has
        // pouchd's own (--oom-score-adj) through containerd
        process.put("oomScoreAdj", hc.oomScoreAdj());

        ObjectNode root = spec.putObject("root");
        root.put("path", "rootfs");
        root.put("readonly", hc.readonlyRootfs());
        boolean hostUts = NamespaceModes.isHost(hc.utsMode());
        if (!hostUts) { // runc refuses a hostname without a UTS namespace of the container's own
            spec.put("hostname", in.hostname());
        }
        if (!hostUts && in.domainname() != null && !in.domainname().isEmpty()) {
            spec.put("domainname", in.domainname());
        }
        spec.set("mounts", mounts(in, privileged));
        Lxcfs.addMounts(spec, hc); // EnableLxcfs: LXCFS's /proc files over the container's, or a 400

        ObjectNode linux = spec.putObject("linux");
        if (!hostUts && in.domainname() != null && !in.domainname().isEmpty()) {
            // runc before 1.2 ignores the spec's domainname; the sysctl, written inside the container's own UTS
            // namespace, sets it with every runc
            linux.withObjectProperty("sysctl").put("kernel.domainname", in.domainname());
        }
        ArrayNode ns = linux.putArray("namespaces");
        // a container: mode gets its namespace path at start (joinNamespace), when the other task's pid is known
        if (!NamespaceModes.isHost(hc.pidMode())) {
            ns.addObject().put("type", "pid");
        }
        if (!NamespaceModes.isHost(hc.ipcMode())) {
            ns.addObject().put("type", "ipc");
        }
        if (!hostUts) {
            ns.addObject().put("type", "uts");
        }
        ns.addObject().put("type", "mount");
        if ("private".equals(hc.cgroupnsMode())) {
            ns.addObject().put("type", "cgroup");
        }
        if (!"host".equals(hc.networkMode())) {
            // No path: runc creates a new network namespace holding only loopback. That is what "none" means; for
            // bridge networks the container manager sets the network manager's namespace (setNetworkNamespacePath).
            ns.addObject().put("type", "network");
        }
        linux.put("cgroupsPath", "/pouch/" + in.id());
        linux.set("resources", OciResources.of(hc, privileged, host));
        if (!privileged) {
            ArrayNode masked = linux.putArray("maskedPaths");
            (hc.maskedPaths() != null ? hc.maskedPaths() : MASKED_PATHS).forEach(masked::add);
            ArrayNode ro = linux.putArray("readonlyPaths");
            (hc.readonlyPaths() != null ? hc.readonlyPaths() : READONLY_PATHS).forEach(ro::add);
        }
        ObjectNode seccomp = seccomp(security, privileged, caps);
        if (seccomp != null) {
            linux.set("seccomp", seccomp);
        }
        if (hc.sysctls() != null && !hc.sysctls().isEmpty()) {
            ObjectNode sysctl = linux.withObjectProperty("sysctl");
            hc.sysctls().forEach(sysctl::put);
        }
        setRootfsPropagation(spec);
        if (hc.annotations() != null && !hc.annotations().isEmpty()) {
            ObjectNode annotations = spec.putObject("annotations");
            hc.annotations().forEach(annotations::put);
        }
        return spec;
    }

    /**
     * moby's choice: none for {@code seccomp=unconfined}; a privileged container has none unless it names a
     * profile; else the named profile or Docker's default, resolved for the container's bounding set.
     */
    static ObjectNode seccomp(SecurityOptions security, boolean privileged, List<String> caps) {
        String p = security.seccomp();
        if (SecurityOptions.UNCONFINED.equals(p) || (privileged && p == null)) {
            return null;
        }
        SeccompProfile.Target target = SeccompProfile.Target.here(caps);
        return p == null ? SeccompProfile.defaultProfile(target) : SeccompProfile.fromJson(p, target);
    }

    static ArrayNode rlimits(List<HostConfig.Ulimit> ulimits, Host host) {
        // Nothing by default: the container inherits the shim's limits. Docker's RLIMIT_NOFILE 1048576 cannot be
        // set on hosts without CAP_SYS_RESOURCE (runc dies with "can't get final child's PID from pipe").
        ArrayNode out = Json.MAPPER.createArrayNode();
        if (ulimits == null) {
            return out;
        }
        for (HostConfig.Ulimit u : ulimits) {
            if (u == null || u.name() == null) {
                throw PouchException.invalidArgument("invalid ulimit: a Name is required");
            }
            String type = RLIMITS.get(u.name().toLowerCase(Locale.ROOT));
            if (type == null) {
                throw PouchException.invalidArgument("invalid ulimit type: " + u.name());
            }
            if (u.soft() > u.hard()) {
                throw PouchException.invalidArgument("ulimit soft limit must be less than or equal to hard limit: "
                        + u.soft() + " > " + u.hard());
            }
            Long current = host.hardLimits().get(type);
            if (!host.canRaiseLimits() && current != null && current >= 0 && Long.compareUnsigned(u.hard(), current) > 0) {
                throw PouchException.invalidArgument("ulimit " + u.name() + "=" + u.soft() + ":" + u.hard()
                        + " raises the hard limit above this host's " + current
                        + ", which needs CAP_SYS_RESOURCE (not in this host's bounding set); ask for at most "
                        + current);
            }
            ObjectNode r = out.addObject();
            r.put("type", type);
            r.put("hard", u.hard());
            r.put("soft", u.soft());
        }
        return out;
    }

    static ArrayNode mounts(Input in, boolean privileged) {
        ArrayNode m = Json.MAPPER.createArrayNode();
        mount(m, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(m, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(m, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                "gid=5");
        mount(m, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", privileged ? "rw" : "ro");
        mount(m, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", privileged ? "rw" : "ro");
        mount(m, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        String ipc = in.hostConfig() == null ? null : in.hostConfig().ipcMode();
        long shm = in.hostConfig() != null && in.hostConfig().shmSize() > 0 ? in.hostConfig().shmSize() : 64L << 20;
        if (NamespaceModes.isHost(ipc)) {
            bind(m, "/dev/shm", "/dev/shm", false, "rprivate");
        } else if (!"none".equals(ipc)) { // none: no /dev/shm at all, as dockerd
            // a container: joiner's /dev/shm becomes the other's at start (joinNamespace)
            mount(m, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=" + shm);
        }
        bind(m, in.hostnameFile().toString(), "/etc/hostname", false, "rprivate");
        bind(m, in.hostsFile().toString(), "/etc/hosts", false, "rprivate");
        bind(m, in.resolvConfFile().toString(), "/etc/resolv.conf", false, "rprivate");
        if (in.init() != null) {
            bind(m, in.init().toString(), INIT_PATH, true, "rprivate");
        }
        for (Bind b : in.binds()) {
            bind(m, b.source().toString(), b.destination(), b.readOnly(), b.propagation());
        }
        return m;
    }

    private static void mount(ArrayNode m, String dst, String type, String src, String... opts) {
        ObjectNode o = m.addObject();
        o.put("destination", dst);
        o.put("type", type);
        o.put("source", src);
        ArrayNode a = o.putArray("options");
        for (String s : opts) {
            a.add(s);
        }
    }

    private static void bind(ArrayNode m, String src, String dst, boolean ro, String propagation) {
        mount(m, dst, "bind", src, "rbind", propagation, ro ? "ro" : "rw");
    }

    /**
     * The process environment as Docker builds it: HOSTNAME first, then the image's variables overridden by the
     * user's (by name), PATH defaulted, TERM=xterm for a TTY.
     */
    public static List<String> env(String hostname, List<String> imageEnv, List<String> userEnv, boolean tty) {
        LinkedHashMap<String, String> vars = new LinkedHashMap<>();
        vars.put("HOSTNAME", "HOSTNAME=" + hostname);
        for (List<String> src : Arrays.asList(imageEnv, userEnv)) {
            if (src == null) {
                continue;
            }
            for (String e : src) {
                if (e == null || e.isEmpty()) {
                    continue;
                }
                int eq = e.indexOf('=');
                String key = eq < 0 ? e : e.substring(0, eq);
                if (key.isEmpty()) {
                    throw PouchException.invalidArgument("invalid environment variable: " + e);
                }
                if (eq < 0) {
                    continue; // "-e NAME" with NAME unset on the client: the CLI drops it too
                }
                vars.remove(key);
                vars.put(key, e);
            }
        }
        vars.putIfAbsent("PATH", "PATH=" + DEFAULT_PATH);
        if (tty) {
            vars.putIfAbsent("TERM", "TERM=xterm");
        }
        return new ArrayList<>(vars.values());
    }

    /**
     * Docker's command resolution: a given Entrypoint replaces the image's (and then the image's Cmd is not used
     * unless Cmd is also empty and the Entrypoint was not given); {@code [""]} clears the entrypoint. An empty
     * Entrypoint ({@code []}, which Pouch's CLI always sends) is one not given for the Cmd, as dockerd's merge
     * has it: the image's Cmd fills an empty Cmd, but the image's Entrypoint is not used.
     */
    public static List<String> command(List<String> userEntrypoint, List<String> userCmd, List<String> imageEntrypoint,
                                       List<String> imageCmd) {
        List<String> ep;
        List<String> cmd;
        if (userEntrypoint != null && userEntrypoint.isEmpty()) {
            ep = List.of();
            cmd = userCmd != null && !userCmd.isEmpty() ? userCmd : (imageCmd != null ? imageCmd : List.of());
        } else if (userEntrypoint != null) {
            ep = userEntrypoint.size() == 1 && userEntrypoint.get(0).isEmpty() ? List.of() : userEntrypoint;
            cmd = userCmd != null ? userCmd : List.of();
        } else {
            ep = imageEntrypoint != null ? imageEntrypoint : List.of();
            cmd = userCmd != null && !userCmd.isEmpty() ? userCmd : (imageCmd != null ? imageCmd : List.of());
        }
        List<String> all = new ArrayList<>(ep);
        all.addAll(cmd);
        if (all.isEmpty()) {
            throw PouchException.invalidArgument("No command specified");
        }
        return List.copyOf(all);
    }

    /**
     * {@code linux.rootfsPropagation} from the spec's bind mounts, dockerd's rule: a shared or rshared bind makes it
     * {@code shared}, else a slave or rslave bind {@code rslave}. Without it runc makes every mount of the container a
     * slave of the host's before it binds the sources, so a bind asking for shared propagation would be shared only
     * among the container's own mounts, and a mount made under it would never reach the host. Called again once the
     * user mounts are in the spec.
     */
    public static void setRootfsPropagation(ObjectNode spec) {
        String root = null;
        for (JsonNode m : spec.path("mounts")) {
            if (!"bind".equals(m.path("type").asText())) {
                continue;
            }
            for (JsonNode o : m.path("options")) {
                switch (o.asText()) {
                    case "shared", "rshared" -> root = "shared";
                    case "slave", "rslave" -> root = root == null ? "rslave" : root;
                    default -> {
                    }
                }
            }
        }
        if (root != null) {
            spec.withObject("/linux").put("rootfsPropagation", root);
        }
    }

    /**
     * The container joins namespace {@code type} ({@code pid} or {@code ipc}) of the task {@code pid}, for a
     * {@code container:} mode.
     */
    public static void joinNamespace(ObjectNode spec, String type, long pid) {
        for (JsonNode n : spec.path("linux").path("namespaces")) {
            if (type.equals(n.path("type").asText()) && n instanceof ObjectNode o) {
                o.put("path", "/proc/" + pid + "/ns/" + type);
            }
        }
    }

    /**
     * The container's {@code /dev/shm} is the host directory {@code source} (a shareable container's tmpfs, its
     * own or the one of the container whose IPC namespace it joins, or the host's /dev/shm).
     */
    public static void bindShm(ObjectNode spec, String source) {
        for (JsonNode n : spec.path("mounts")) {
            if ("/dev/shm".equals(n.path("destination").asText()) && n instanceof ObjectNode o) {
                o.put("type", "bind");
                o.put("source", source);
                o.putArray("options").add("rbind").add("rprivate").add("rw");
            }
        }
    }

    /**
     * The container joins the namespace pouchd prepared (bind-mounted file) instead of a
     * fresh empty one.
     */
    public static void setNetworkNamespacePath(ObjectNode spec, String path) {
        for (JsonNode n : spec.path("linux").path("namespaces")) {
            if ("network".equals(n.path("type").asText()) && n instanceof ObjectNode o) {
                o.put("path", path);
            }
        }
    }
}
