package io.pouch.daemon.container.rich;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.container.ContainerConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Makes a container's OCI spec a rich container's, with stock runc. Pouch's patched runc chose PID 1 itself;
 * here the spec does it:
 * <ul>
 *   <li>dumb-init: the host's dumb-init ({@link DumbInitBinary}, read-only under {@code /.pouch}) is PID 1 and
 *   runs the user's command as its child;</li>
 *   <li>sbin-init and systemd: the image's {@code /sbin/init} is PID 1. The image's shell starts the user's command
 *   in the background, then execs the init in its place, so the command is a child of PID 1, as under Pouch.</li>
 * </ul>
 * The init script runs first, inside the container, and a failing one fails the start with its exit code.
 */
public final class RichSpec {
    /** Where the dumb-init directory is mounted; short, because its loader paths are patched to fit in place. */
    public static final String POUCH_DIR = "/.pouch";
    static final String SBIN_INIT = "/sbin/init";
    static final String SHELL = "/bin/sh";
    /** {@code $0} of the launcher shell, which ps shows until the exec. */
    static final String LAUNCHER = "rich-init";
    static final String CGROUP_ROOT = "/sys/fs/cgroup";
    /** cgroup v1's hierarchy of systemd's own, on the host and in the container. */
    static final String SYSTEMD_HIERARCHY = CGROUP_ROOT + "/systemd";

    private RichSpec() {
    }

    /**
     * Edits {@code spec} (built, with the user mounts already in it when started) for {@code cfg}'s rich mode;
     * nothing when the container is not rich.
     *
     * @param cgroupV2    the host has cgroup v2 only
     * @param dumbInitDir the prepared dumb-init directory, asked for only in dumb-init mode
     */
    public static void apply(ObjectNode spec, ContainerConfig cfg, boolean cgroupV2, Supplier<Path> dumbInitDir) {
        if (!cfg.rich()) {
            return;
        }
        RichMode mode = RichMode.parse(cfg.richMode());
        ObjectNode process = spec.withObject("/process");
        List<String> command = new ArrayList<>();
        process.path("args").forEach(a -> command.add(a.asText()));
        String script = cfg.initScript() == null ? "" : cfg.initScript().strip();
        ArrayNode args = process.putArray("args");
        command(mode, script, command).forEach(args::add);
        ArrayNode env = process.withArray("/env");
        env.add("rich_mode=true");
        env.add("rich_mode_launch_manner=" + mode.apiName());
        ArrayNode mounts = spec.withArray("/mounts");
        switch (mode) {
            case DUMB_INIT -> mounts.addObject().put("destination", POUCH_DIR).put("type", "bind")
                    .put("source", dumbInitDir.get().toString())
                    .putArray("options").add("rbind").add("rprivate").add("ro").add("nosuid").add("nodev");
            case SYSTEMD -> systemd(spec, env, mounts, cgroupV2);
            case SBIN_INIT -> {
            }
        }
    }

    /** PID 1's command line for {@code mode}, the init script and the user's command. */
    static List<String> command(RichMode mode, String script, List<String> user) {
        List<String> out = new ArrayList<>();
        String runScript = script.isEmpty() ? "" : quoted(script) + " || exit $?; ";
        if (mode == RichMode.DUMB_INIT) {
            out.add(POUCH_DIR + "/" + DumbInitBinary.NAME);
            out.add("--");
            if (!script.isEmpty()) {
                // "<&0": sh would give a command it starts in the background /dev/null for stdin, not the container's
        out.addAll(List.of(SHELL, "-c", runScript + "exec \"$@\"", LAUNCHER));
            }
            out.addAll(user);
            return out;
        }
        boolean initOnly = user.equals(List.of(SBIN_INIT));
        if (initOnly && script.isEmpty()) {
            return List.of(SBIN_INIT);
        }
        // "<&0": sh would give a command it starts in the background /dev/null for stdin, not the container's
        out.addAll(List.of(SHELL, "-c", runScript + (initOnly ? "" : "\"$@\" <&0 & ") + "exec " + SBIN_INIT, LAUNCHER));
        if (!initOnly) {
            out.addAll(user);
        }
        return out;
    }

    /**
     * What systemd as PID 1 needs: tmpfs on /run, /run/lock and /tmp (unless the user mounts something there), a
     * cgroup namespace of its own (it finds its cgroup through /proc/self/cgroup, which must then read "/", the
     * root of what is mounted), write access to the cgroups it makes for its units, and {@code container=} so it
     * knows it is in one. On cgroup v1 only the name=systemd hierarchy is made writable, by binding the
     * container's own directory of it over the read-only one: the controllers stay read-only, so the container
     * cannot raise its own limits. On cgroup v2 the namespace's hierarchy is writable, as systemd needs for
     * delegation; the kernel keeps the namespace root's own limit files out of its reach.
     */
    private static void systemd(ObjectNode spec, ArrayNode env, ArrayNode mounts, boolean cgroupV2) {
        boolean hasContainerVar = false;
        for (JsonNode e : env) {
            hasContainerVar |= e.asText().startsWith("container=");
        }
        if (!hasContainerVar) {
            env.add("container=docker");
        }
        // first in the list, so that whatever the user mounts under them stays visible
        int at = 0;
        at = tmpfs(mounts, at, "/run", "mode=755");
        at = tmpfs(mounts, at, "/run/lock", "mode=1777", "size=5242880");
        tmpfs(mounts, at, "/tmp", "mode=1777");
        if (cgroupV2) {
            for (JsonNode m : mounts) {
                if (CGROUP_ROOT.equals(m.path("destination").asText()) && m.path("options") instanceof ArrayNode o) {
                    for (int i = 0; i < o.size(); i++) {
                        if ("ro".equals(o.get(i).asText())) {
                            o.set(i, o.textNode("rw"));
                        }
                    }
                }
            }
        } else {
            // runc has made the container's cgroup directories before it mounts anything
            mounts.addObject().put("destination", SYSTEMD_HIERARCHY).put("type", "bind")
                    .put("source", SYSTEMD_HIERARCHY + spec.at("/linux/cgroupsPath").asText())
                    .putArray("options").add("rbind").add("rprivate").add("rw").add("nosuid").add("nodev")
                    .add("noexec");
        }
        ArrayNode ns = spec.withArray("/linux/namespaces");
        for (JsonNode n : ns) {
            if ("cgroup".equals(n.path("type").asText())) {
                return;
            }
        }
        ns.addObject().put("type", "cgroup");
    }

    /** Inserts a tmpfs at {@code dst} at index {@code at} unless something is mounted there; the next index. */
    private static int tmpfs(ArrayNode mounts, int at, String dst, String... extra) {
        for (JsonNode m : mounts) {
            if (dst.equals(m.path("destination").asText())) {
                return at;
            }
        }
        ObjectNode m = mounts.objectNode().put("destination", dst).put("type", "tmpfs").put("source", "tmpfs");
        ArrayNode o = m.putArray("options").add("nosuid").add("nodev");
        for (String e : extra) {
            o.add(e);
        }
        mounts.insert(at, m);
        return at + 1;
    }

    /** Pouch splits the init script on blanks into a path and its arguments; each is single-quoted for sh. */
    static String quoted(String script) {
        StringBuilder b = new StringBuilder();
        for (String word : script.split("\\s+")) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append('\'').append(word.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }
}
