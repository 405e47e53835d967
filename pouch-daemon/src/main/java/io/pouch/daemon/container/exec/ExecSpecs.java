package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.Capabilities;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.UserSpec;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.sys.ScopedPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OCI process spec of an exec: the container's own process (capabilities, rlimits, apparmor/seccomp, env) with
 * the exec's command, its env added on top, working dir, user and terminal; privileged gives all capabilities, as
 * dockerd.
 *
 * <p>The container's process section is read from its spec in containerd. That spec is written when the container
 * starts (and {@code update} changes only resources), so it is cached per container and task pid and dropped on
 * the container's lifecycle events ({@link #onContainerEvent}): an exec then costs no Containers/Get.
 */
final class ExecSpecs {
    /** The runtime specs containerd holds for the containers (JSON). */
    @FunctionalInterface
    interface ContainerSpecs {
        byte[] spec(String containerId);
    }

    /** The files of a running container (its /etc/passwd, /etc/group), by its task's pid. */
    @FunctionalInterface
    interface ContainerFiles {
        /** The file's contents, or null when the container has none. */
        String read(int pid, String path);
    }

    private final ContainerSpecs specs;
    private final ContainerFiles files;
    private final Map<String, CachedProcess> cache = new ConcurrentHashMap<>();

    private record CachedProcess(int pid, ObjectNode process) {
    }

    ExecSpecs(ContainerSpecs specs) {
        this(specs, ExecSpecs::readInside);
    }

    ExecSpecs(ContainerSpecs specs, ContainerFiles files) {
        this.specs = specs;
        this.files = files;
    }

    /** The process spec (JSON) of {@code cfg} run in container {@code c}. */
    byte[] processSpec(ContainerManager.ProcessView c, ExecConfig cfg) {
        try {
            ObjectNode p = baseProcess(c).deepCopy();
            ArrayNode args = p.putArray("args");
            cfg.cmd().forEach(args::add);
            p.put("terminal", cfg.tty());
            p.remove("consoleSize");
            if (cfg.env() != null && !cfg.env().isEmpty()) {
                Map<String, String> env = new LinkedHashMap<>();
                JsonNode old = p.get("env");
                if (old != null) {
                    old.forEach(n -> put(env, n.asText()));
                }
                cfg.env().forEach(s -> put(env, s));
                ArrayNode a = p.putArray("env");
                env.forEach((k, v) -> a.add(v == null ? k : k + "=" + v));
            }
            if (cfg.workingDir() != null && !cfg.workingDir().isEmpty()) {
                if (!cfg.workingDir().startsWith("/")) {
                    throw PouchException.invalidArgument("the working directory '" + cfg.workingDir()
                            + "' is invalid, it needs to be an absolute path");
                }
                p.put("cwd", cfg.workingDir());
            }
            String user = cfg.user() != null && !cfg.user().isEmpty() ? cfg.user() : c.user();
            if (user != null && !user.isEmpty()) {
                UserSpec u = resolveUser(c, user);
                ObjectNode un = p.putObject("user");
                un.put("uid", u.uid());
                un.put("gid", u.gid());
                ArrayNode ag = un.putArray("additionalGids");
                u.additionalGids().forEach(ag::add);
            }
            if (cfg.privileged()) {
                ObjectNode caps = p.putObject("capabilities");
                ArrayNode all = Json.MAPPER.createArrayNode();
                Capabilities.compute(true, null, null, Capabilities.hostBoundingSet()).forEach(all::add);
                for (String set : new String[] {"bounding", "effective", "permitted"}) {
                    caps.set(set, all.deepCopy());
                }
                p.remove("apparmorProfile");
                p.put("noNewPrivileges", false);
            }
            return Json.MAPPER.writeValueAsBytes(p);
        } catch (IOException ex) {
            throw PouchException.internal("cannot read the spec of container " + c.id() + ": " + ex.getMessage(), ex);
        }
    }

    private ObjectNode baseProcess(ContainerManager.ProcessView c) throws IOException {
        CachedProcess cached = cache.get(c.id());
        if (cached != null && cached.pid() == c.pid()) {
            return cached.process();
        }
        JsonNode spec = Json.MAPPER.readTree(specs.spec(c.id()));
        if (!(spec.get("process") instanceof ObjectNode process)) {
            throw new IOException("the spec has no process");
        }
        cache.put(c.id(), new CachedProcess(c.pid(), process));
        return process;
    }

    /** A container's lifecycle event (anything but its exec events) drops its cached process. */
    void onContainerEvent(Event ev) {
        if ("container".equals(ev.type()) && ev.action() != null && !ev.action().startsWith("exec_")
                && ev.actor() != null && ev.actor().id() != null) {
            cache.remove(ev.actor().id());
        }
    }

    private static void put(Map<String, String> env, String kv) {
        int i = kv.indexOf('=');
        if (i < 0) {
            env.put(kv, null);
        } else {
            env.put(kv.substring(0, i), kv.substring(i + 1));
        }
    }

    /**
     * The exec's user resolved as the container's own process was at start ({@link UserSpec#of}): against the
     * container's /etc/passwd and /etc/group, a numeric user too, with the container's {@code GroupAdd}.
     */
    private UserSpec resolveUser(ContainerManager.ProcessView c, String user) {
        return UserSpec.of(user, c.groupAdd(), files.read(c.pid(), "/etc/passwd"), files.read(c.pid(), "/etc/group"));
    }

    /** A file of the running container, read inside its root; null when it has none. */
    private static String readInside(int pid, String path) {
        Path p = ScopedPath.resolve(Path.of("/proc", Integer.toString(pid), "root"), path, true);
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
