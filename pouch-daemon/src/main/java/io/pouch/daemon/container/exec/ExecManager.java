package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import containerd.services.containers.v1.ContainersOuterClass;
import containerd.services.tasks.v1.TasksOuterClass;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.Capabilities;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.UserSpec;
import io.pouch.daemon.container.files.ScopedPath;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.container.io.DetachKeys;
import io.pouch.daemon.container.io.LogSink;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code docker exec}: processes started inside a running container's task with containerd's Tasks.Exec. Exec
 * records live in memory only (as in dockerd: they do not survive a daemon restart). Exits arrive on the task
 * event stream and are routed here by {@link ContainerManager#execExitListener}.
 */
public final class ExecManager {
    private static final Logger LOG = Logger.getLogger(ExecManager.class.getName());
    static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Finished execs are kept for inspect for this long (dockerd keeps them until the container goes). */
    private static final long KEEP_MILLIS = 10 * 60_000;

    private final Containerd ctd;
    private final ContainerManager containers;
    private final EventBus events;
    private final Path execRoot;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();

    /** One exec instance. Mutable fields are guarded by the instance's monitor. */
    static final class Exec {
        final String id;
        final String containerId;
        final ExecConfig config;
        final CompletableFuture<Integer> exit = new CompletableFuture<>();
        boolean started;
        boolean running;
        Integer exitCode;
        int pid;
        ContainerIO io;
        long finishedAt;

        Exec(String id, String containerId, ExecConfig config) {
            this.id = id;
            this.containerId = containerId;
            this.config = config;
        }
    }

    public ExecManager(Containerd ctd, ContainerManager containers, EventBus events, Path execRoot) {
        this.ctd = ctd;
        this.containers = containers;
        this.events = events;
        this.execRoot = execRoot;
        containers.execExitListener(this::onExit);
        containers.execIdsSource(this::execIds);
    }

    public String create(String containerRef, ExecConfig cfg) {
        if (cfg == null || cfg.cmd() == null || cfg.cmd().isEmpty()) {
            throw PouchException.invalidArgument("No exec command specified");
        }
        if (cfg.detachKeys() != null && !cfg.detachKeys().isEmpty()) {
            DetachKeys.parse(cfg.detachKeys());
        }
        ContainerManager.ProcessView c = containers.processView(containerRef);
        requireRunning(c);
        purge();
        String id = newId();
        execs.put(id, new Exec(id, c.id(), cfg));
        publish(c, "exec_create: " + String.join(" ", cfg.cmd()), Map.of("execID", id));
        return id;
    }

    private static void requireRunning(ContainerManager.ProcessView c) {
        if (!c.running()) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        if (c.paused()) {
            throw PouchException.conflict("Container " + c.id() + " is paused, unpause the container before exec");
        }
    }

    Exec get(String id) {
        Exec e = execs.get(id);
        if (e == null) {
            throw PouchException.notFound("No such exec instance: " + id);
        }
        return e;
    }

    public ExecInspect inspect(String id) {
        Exec e = get(id);
        synchronized (e) {
            List<String> cmd = e.config.cmd();
            return new ExecInspect(e.id, e.running, e.exitCode, new ExecInspect.ProcessConfig(e.config.privileged(),
                    e.config.user() == null ? "" : e.config.user(), e.config.tty(), cmd.get(0),
                    List.copyOf(cmd.subList(1, cmd.size()))), e.config.attachStdin(), e.config.attachStderr(),
                    e.config.attachStdout(), !e.running && e.started, e.containerId,
                    e.config.detachKeys() == null ? "" : e.config.detachKeys(), e.pid);
        }
    }

    /** Exec ids of a container (for its inspect's ExecIDs); running or not yet started ones, as dockerd. */
    public List<String> execIds(String containerId) {
        List<String> out = new ArrayList<>();
        for (Exec e : execs.values()) {
            synchronized (e) {
                if (e.containerId.equals(containerId) && (e.running || !e.started)) {
                    out.add(e.id);
                }
            }
        }
        return out;
    }

    /**
     * Makes the process's FIFOs, before anything is started, so an attached client can subscribe first and sees
     * the output from the first byte. 409 when the exec already started.
     */
    ContainerIO prepare(Exec e, boolean tty) {
        synchronized (e) {
            if (e.started) {
                throw PouchException.conflict("Error: Exec command " + e.id + " is already running");
            }
            requireRunning(containers.processView(e.containerId));
            e.started = true;
            e.io = ContainerIOs.create(ContainerIO.fifoDir(execRoot, e.containerId), e.id, tty,
                    e.config.attachStdin(), true, LogSink.NONE);
            return e.io;
        }
    }

    /**
     * Starts the prepared process. On failure the exit code is set as dockerd does (127 command not found, 126
     * not executable) and the OCI runtime's message is thrown.
     */
    void start(Exec e, boolean tty) {
        ContainerManager.ProcessView c = containers.processView(e.containerId);
        ContainerIO io = e.io;
        try {
            byte[] spec = processSpec(c, e.config, tty);
            ctd.tasks().exec(TasksOuterClass.ExecProcessRequest.newBuilder()
                    .setContainerId(e.containerId).setExecId(e.id)
                    .setStdin(io.stdinPath() == null ? "" : io.stdinPath().toString())
                    .setStdout(io.stdoutPath().toString())
                    .setStderr(io.stderrPath() == null ? "" : io.stderrPath().toString())
                    .setTerminal(tty)
                    .setSpec(Any.newBuilder().setTypeUrl(PROCESS_TYPE).setValue(ByteString.copyFrom(spec)))
                    .build());
            int pid;
            synchronized (e) {
                // the exit may arrive before Start returns: mark running first so onExit finds it
                e.running = true;
            }
            try {
                pid = ctd.tasks().start(TasksOuterClass.StartRequest.newBuilder().setContainerId(e.containerId)
                        .setExecId(e.id).build()).getPid();
            } catch (StatusRuntimeException sre) {
                synchronized (e) {
                    e.running = false;
                }
                throw sre;
            }
            synchronized (e) {
                e.pid = pid;
            }
            publish(c, "exec_start: " + String.join(" ", e.config.cmd()), Map.of("execID", e.id));
        } catch (StatusRuntimeException sre) {
            deleteProcess(e);
            io.close();
            String msg = sre.getStatus().getDescription() == null ? sre.getStatus().getCode().toString()
                    : sre.getStatus().getDescription();
            int code = msg.contains("executable file not found") || msg.contains("no such file or directory")
                    ? 127 : 126;
            finish(e, code);
            throw sre.getStatus().getCode() == Status.Code.NOT_FOUND
                    ? PouchException.conflict("Container " + e.containerId + " is not running")
                    : PouchException.invalidArgument(msg.startsWith("OCI runtime") ? msg
                    : "OCI runtime exec failed: " + msg);
        } catch (RuntimeException ex) {
            io.close();
            finish(e, 126);
            throw ex;
        }
    }

    private void finish(Exec e, int code) {
        synchronized (e) {
            e.running = false;
            e.exitCode = code;
            e.io = null;
            e.finishedAt = System.currentTimeMillis();
        }
        e.exit.complete(code);
    }

    /** Exit of an exec'd process, from the task event stream. */
    private void onExit(String containerId, String execId, int pid, int status, Instant at) {
        Exec e = execs.get(execId);
        if (e == null || !e.containerId.equals(containerId)) {
            return;
        }
        Thread.ofVirtual().name("exec-exit-" + execId.substring(0, Math.min(12, execId.length()))).start(() -> {
            ContainerIO io;
            synchronized (e) {
                if (!e.running) {
                    return;
                }
                io = e.io;
            }
            if (io != null) {
                try {
                    io.awaitDrained(2000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            // the exit code first: the attached client is waiting for it to end its stream (latency of docker exec)
            finish(e, status < 0 ? 255 : status);
            deleteProcess(e);
            if (io != null) {
                io.close();
            }
            try {
                publish(containers.processView(containerId), "exec_die",
                        Map.of("execID", execId, "exitCode", Integer.toString(status)));
            } catch (PouchException gone) {
                // the container was removed meanwhile
            }
        });
    }

    private void deleteProcess(Exec e) {
        try {
            ctd.tasks().deleteProcess(TasksOuterClass.DeleteProcessRequest.newBuilder().setContainerId(e.containerId)
                    .setExecId(e.id).build());
        } catch (StatusRuntimeException sre) {
            if (sre.getStatus().getCode() != Status.Code.NOT_FOUND) {
                LOG.log(Level.FINE, "cannot delete exec process " + e.id, sre);
            }
        }
    }

    /**
     * The process reads EOF on stdin. Closing our end of the FIFO is not enough: the shim holds a writer on it too
     * until told with CloseIO.
     */
    void closeStdin(Exec e) {
        try {
            ctd.tasks().closeIO(TasksOuterClass.CloseIORequest.newBuilder().setContainerId(e.containerId)
                    .setExecId(e.id).setStdin(true).build());
        } catch (StatusRuntimeException sre) {
            LOG.log(Level.FINE, "CloseIO of exec " + e.id + " failed", sre);
        }
    }

    public void resize(String id, int height, int width) {
        Exec e = get(id);
        synchronized (e) {
            if (!e.running) {
                throw PouchException.conflict("Exec " + id + " is not running");
            }
            if (!e.config.tty()) {
                throw PouchException.conflict("Exec " + id + " has no TTY: cannot resize it");
            }
        }
        if (height <= 0 || width <= 0) {
            return;
        }
        try {
            ctd.tasks().resizePty(TasksOuterClass.ResizePtyRequest.newBuilder().setContainerId(e.containerId)
                    .setExecId(id).setWidth(width).setHeight(height).build());
        } catch (StatusRuntimeException sre) {
            throw PouchException.conflict("cannot resize exec " + id + ": " + sre.getStatus().getDescription());
        }
    }

    /**
     * The process spec: the container's own process (capabilities, rlimits, apparmor/seccomp, env) with the exec's
     * command, env added on top, working dir, user and terminal; privileged gives all capabilities, as dockerd.
     */
    private byte[] processSpec(ContainerManager.ProcessView c, ExecConfig cfg, boolean tty) {
        ContainersOuterClass.Container rec = ctd.containers().get(ContainersOuterClass.GetContainerRequest.newBuilder()
                .setId(c.id()).build()).getContainer();
        try {
            ObjectNode spec = (ObjectNode) Json.MAPPER.readTree(rec.getSpec().getValue().toByteArray());
            ObjectNode p = ((ObjectNode) spec.get("process")).deepCopy();
            ArrayNode args = p.putArray("args");
            cfg.cmd().forEach(args::add);
            p.put("terminal", tty);
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

    private static void put(Map<String, String> env, String kv) {
        int i = kv.indexOf('=');
        if (i < 0) {
            env.put(kv, null);
        } else {
            env.put(kv.substring(0, i), kv.substring(i + 1));
        }
    }

    /** Names are looked up in the container's own /etc/passwd and /etc/group, read inside its root. */
    private static UserSpec resolveUser(ContainerManager.ProcessView c, String user) {
        if (UserSpec.isNumeric(user)) {
            return UserSpec.resolve(user, null, null);
        }
        Path root = Path.of("/proc", Integer.toString(c.pid()), "root");
        return UserSpec.resolve(user, readInside(root, "/etc/passwd"), readInside(root, "/etc/group"));
    }

    private static String readInside(Path root, String path) {
        Path p = ScopedPath.resolve(root, path, true);
        try {
            return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Drops finished execs of removed containers and old finished ones. */
    private void purge() {
        long now = System.currentTimeMillis();
        execs.values().removeIf(e -> {
            synchronized (e) {
                if (e.running) {
                    return false;
                }
                boolean old = e.started && e.exitCode != null && now - e.finishedAt > KEEP_MILLIS;
                boolean gone;
                try {
                    containers.processView(e.containerId);
                    gone = false;
                } catch (PouchException ex) {
                    gone = true;
                }
                return old || gone;
            }
        });
    }

    private void publish(ContainerManager.ProcessView c, String action, Map<String, String> extra) {
        Map<String, String> attrs = new LinkedHashMap<>(c.labels());
        attrs.put("image", c.imageName());
        attrs.put("name", c.name());
        attrs.putAll(extra);
        events.publish(Event.of("container", action, c.id(), attrs));
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

}
