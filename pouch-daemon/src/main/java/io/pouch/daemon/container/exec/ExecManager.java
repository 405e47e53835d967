package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import containerd.services.containers.v1.ContainersOuterClass;
import containerd.services.tasks.v1.TasksOuterClass;
import containerd.v1.types.Task;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.Capabilities;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.UserSpec;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.container.io.ContainerIOs;
import io.pouch.daemon.container.io.DetachKeys;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.sys.ScopedPath;
import io.pouch.daemon.sys.Trace;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code docker exec}: processes started inside a running container's task with containerd's Tasks.Exec.
 *
 * <p>Latency (what {@code docker exec true} waits for): the process is prepared speculatively when the exec is
 * created (FIFOs, the container's process spec, Tasks.Exec, which only registers it in the shim), while the CLI
 * opens its second connection for the start; the start is then just Tasks.Start. The exit is learnt from
 * Tasks.Wait on the exec id, issued before the start (as ctr does), with the task event stream routed here by
 * {@link ContainerManager#execExitListener} as a fallback; whichever comes first ends the exec. A prepared exec that
 * is not started within {@link #PREPARED_MILLIS} gives its resources back and is prepared again at start.
 *
 * <p>Records survive a pouchd restart ({@link ExecStore}, in the container's state dir): after a restart an exec
 * whose process containerd still has is running (its exit is then learnt with Tasks.Wait), one whose process has
 * ended shows containerd's exit status, one containerd forgot shows exit code 255 (unknown). Finished execs are
 * kept for inspect for {@link #KEEP_MILLIS} (dockerd's exec GC keeps them for 5-10 minutes) or until the container
 * is removed.
 */
public final class ExecManager {
    private static final Logger LOG = Logger.getLogger(ExecManager.class.getName());
    static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Finished execs are kept for inspect for this long (dockerd keeps them until the container goes). */
    private static final long KEEP_MILLIS = 10 * 60_000;
    /** A prepared but unstarted exec holds two FIFO threads and a shim entry for at most this long. */
    private static final long PREPARED_MILLIS = 60_000;
    /** Exit code of a process whose end pouchd could not learn (containerd forgot it while pouchd was down). */
    static final int UNKNOWN_EXIT = 255;

    private final Containerd ctd;
    private final ContainerManager containers;
    private final EventBus events;
    private final Path execRoot;
    private final Map<String, Exec> execs = new ConcurrentHashMap<>();
    private final ExecStore store;
    private final Map<String, CachedProcess> processCache = new ConcurrentHashMap<>();

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
        /** The speculative preparation made at create (null when none or given back). */
        CompletableFuture<Prepared> prepared;
        long preparedAt;
        /** The exit was seen (by Wait or by the event): the first one ends the exec. */
        boolean exitSeen;
        /** Start returned the pid: an exit reported earlier waits in {@code earlyExit} until then. */
        boolean startDone;
        Integer earlyExit;
        /** A resize that came while Tasks.Start was under way ({height, width}), applied once it returns. */
        int[] pendingSize;
        /** Why the prepared process cannot be started (thrown by start, after the client subscribed). */
        RuntimeException pendingError;

        Exec(String id, String containerId, ExecConfig config) {
            this.id = id;
            this.containerId = containerId;
            this.config = config;
        }

        /** Caller holds the monitor. */
        ExecRecord record() {
            return new ExecRecord(id, containerId, config, started, running, exitCode, pid, finishedAt);
        }
    }

    /**
     * A process made ready to start: its IO (null when the FIFOs could not be made: then {@code error} says why) and,
     * when {@code error} is null, registered in the shim with Tasks.Exec.
     */
    record Prepared(ContainerIO io, RuntimeException error) {
    }

    /** Without a state dir: records in memory only (as before exec records were kept on disk). */
    public ExecManager(Containerd ctd, ContainerManager containers, EventBus events, Path execRoot) {
        this(ctd, containers, events, execRoot, null);
    }

    /**
     * @param containersDir where the containers' state dirs are ({@code DaemonConfig.containersDir()}); exec
     *                      records found there are restored at once (call after {@code ContainerManager.start()})
     */
    public ExecManager(Containerd ctd, ContainerManager containers, EventBus events, Path execRoot,
                       Path containersDir) {
        this.ctd = ctd;
        this.containers = containers;
        this.events = events;
        this.execRoot = execRoot;
        this.store = containersDir == null ? null : new ExecStore(containersDir);
        containers.execExitListener(this::onExit);
        containers.execIdsSource(this::execIds);
        events.subscribe(this::onContainerEvent);
        if (store != null) {
            restore();
        }
        startPruner();
    }

    /** Never blocks (answered on the API's event loop): the process is prepared on a virtual thread. */
    public String create(String containerRef, ExecConfig cfg) {
        if (cfg == null || cfg.cmd() == null || cfg.cmd().isEmpty()) {
            throw PouchException.invalidArgument("No exec command specified");
        }
        if (cfg.detachKeys() != null && !cfg.detachKeys().isEmpty()) {
            DetachKeys.parse(cfg.detachKeys());
        }
        ContainerManager.ProcessView c = containers.processView(containerRef);
        requireRunning(c);
        // old execs are purged by the pruner, every minute: this runs on the API's event loop and must not wait
        String id = newId();
        Exec e = new Exec(id, c.id(), cfg);
        synchronized (e) {
            execs.put(id, e);
            save(e);
            // perf: made while the client opens its connection for the start
            e.preparedAt = System.currentTimeMillis();
            e.prepared = new CompletableFuture<>();
            CompletableFuture<Prepared> f = e.prepared;
            Thread.ofVirtual().name("exec-prep-" + id.substring(0, 12)).start(() -> f.complete(prepareProcess(e)));
        }
        Trace.mark("exec", id, "created");
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
        if (e != null && !containerExists(e.containerId)) {
            purge(); // the container was removed: its execs (and their records, in its dir) went with it
            e = null;
        }
        if (e == null) {
            throw PouchException.notFound("No such exec instance: " + id);
        }
        return e;
    }

    /** Never blocks (it is answered on the API's event loop): an exec of a removed container is not purged here. */
    public ExecInspect inspect(String id) {
        Exec e = execs.get(id);
        if (e == null || !containerExists(e.containerId)) {
            throw PouchException.notFound("No such exec instance: " + id);
        }
        Trace.mark("exec", id, "inspect");
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
     * Claims {@code e} for a start: 409 when it already started or its container is not running (then nothing
     * changed). Cheap, so the start request can answer those before it hijacks the connection; the process's IO is
     * then awaited with {@link #awaitPrepared}.
     */
    Claim claim(Exec e) {
        synchronized (e) {
            if (e.started) {
                throw PouchException.conflict("Error: Exec command " + e.id + " is already running");
            }
            requireRunning(containers.processView(e.containerId));
            e.started = true;
            CompletableFuture<Prepared> f = e.prepared;
            e.prepared = null;
            return new Claim(e, f);
        }
    }

    /** A claimed exec and its preparation under way since the create (null: none, made on await). */
    record Claim(Exec exec, CompletableFuture<Prepared> preparation) {
    }

    /**
     * The claimed process's IO, made before anything is started so an attached client can subscribe first and
     * sees the output from the first byte: the one prepared at create, else made now. When its FIFOs could not be
     * made the exec ends with 126 and the error is thrown.
     */
    ContainerIO awaitPrepared(Claim c) {
        Exec e = c.exec();
        Prepared p = c.preparation() == null ? prepareProcess(e) : c.preparation().join();
        if (p.io() == null) {
            finish(e, 126);
            throw p.error();
        }
        synchronized (e) {
            e.io = p.io();
            e.pendingError = p.error();
        }
        return p.io();
    }

    /**
     * FIFOs, spec and Tasks.Exec; never throws (the error is in the result). Tasks.Exec only records the process and
     * its FIFO paths in the shim, which opens them on Start: it is sent first and runs while the FIFOs are made. A
     * {@code docker exec} start used to wait for the two one after the other (~1 ms, then ~3 ms).
     */
    private Prepared prepareProcess(Exec e) {
        Path dir = ContainerIO.fifoDir(execRoot, e.containerId);
        boolean tty = e.config.tty();
        boolean stdin = e.config.attachStdin();
        FutureTask<Void> register = new FutureTask<>(() -> {
            registerProcess(e, stdin ? ContainerIOs.fifo(dir, e.id, "stdin") : null, ContainerIOs.fifo(dir, e.id,
                    "stdout"), tty ? null : ContainerIOs.fifo(dir, e.id, "stderr"));
            return null;
        });
        Thread.ofVirtual().name("exec-register-" + e.id.substring(0, 12)).start(register);
        ContainerIO io;
        try {
            io = ContainerIOs.create(dir, e.id, tty, stdin, true, LogSink.NONE);
        } catch (RuntimeException ex) {
            if (awaitRegistered(register) == null) {
                deleteProcess(e); // registered with FIFOs that could not be made
            }
            return new Prepared(null, ex);
        }
        Trace.mark("exec", e.id, "fifos");
        return new Prepared(io, awaitRegistered(register));
    }

    /** Null once the process is registered, else why it is not. */
    private static RuntimeException awaitRegistered(FutureTask<Void> register) {
        try {
            register.get();
            return null;
        } catch (ExecutionException x) {
            return x.getCause() instanceof RuntimeException r ? r
                    : PouchException.internal("preparing the exec failed: " + x.getCause(), x.getCause());
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            return PouchException.internal("interrupted while preparing the exec", x);
        }
    }

    /** Tasks.Exec of the process with the container's current spec; it is not started yet. */
    private void registerProcess(Exec e, Path stdin, Path stdout, Path stderr) {
        ContainerManager.ProcessView c = containers.processView(e.containerId);
        boolean tty = e.config.tty();
        byte[] spec = processSpec(c, e.config, tty);
        Trace.mark("exec", e.id, "spec");
        TasksOuterClass.ExecProcessRequest req = TasksOuterClass.ExecProcessRequest.newBuilder()
                .setContainerId(e.containerId).setExecId(e.id)
                .setStdin(stdin == null ? "" : stdin.toString())
                .setStdout(stdout.toString())
                .setStderr(stderr == null ? "" : stderr.toString())
                .setTerminal(tty)
                .setSpec(Any.newBuilder().setTypeUrl(PROCESS_TYPE).setValue(ByteString.copyFrom(spec)))
                .build();
        try {
            ctd.tasks().exec(req);
        } catch (StatusRuntimeException sre) {
            if (sre.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw sre;
            }
            // registered (never started) by a pouchd that died before the start, or a preparation given back:
            // the shim still has it with the old FIFOs
            deleteProcess(e);
            ctd.tasks().exec(req);
        }
        Trace.mark("exec", e.id, "execd");
    }

    /**
     * Starts the prepared process. On failure the exit code is set as dockerd does (127 command not found, 126
     * not executable) and the OCI runtime's message is thrown.
     */
    void start(Exec e, boolean tty) {
        ContainerManager.ProcessView c = containers.processView(e.containerId);
        ContainerIO io;
        RuntimeException pending;
        synchronized (e) {
            io = e.io;
            pending = e.pendingError;
            e.pendingError = null;
        }
        try {
            Trace.mark("exec", e.id, "start");
            if (pending != null) {
                throw pending;
            }
            int pid;
            synchronized (e) {
                // the exit may arrive before Start returns: mark running first so the exit finds it
                e.running = true;
            }
            try {
                try {
                    pid = startProcess(e);
                } catch (StatusRuntimeException sre) {
                    if (sre.getStatus().getCode() != Status.Code.NOT_FOUND
                            || !containers.processView(e.containerId).running()) {
                        throw sre;
                    }
                    // the container's task was replaced (restarted) since the exec was prepared: register again
                    registerProcess(e, io.stdinPath(), io.stdoutPath(), io.stderrPath());
                    pid = startProcess(e);
                }
            } catch (RuntimeException ex) {
                synchronized (e) {
                    e.running = false;
                }
                throw ex;
            }
            Integer early;
            int[] size;
            synchronized (e) {
                e.pid = pid;
                e.startDone = true;
                early = e.earlyExit;
                size = e.pendingSize;
                e.pendingSize = null;
                save(e);
            }
            if (size != null) {
                try {
                    resizePty(e, size[0], size[1]);
                } catch (RuntimeException ex) { // the process may already be gone: its size no longer matters
                    LOG.log(Level.FINE, "late resize of exec " + e.id + " failed", ex);
                }
            }
            if (early != null) {
                exited(e, early);
            }
            Trace.mark("exec", e.id, "started");
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
            deleteProcess(e);
            io.close();
            finish(e, 126);
            throw ex;
        }
    }

    /** Tasks.Wait on the exec id first (as ctr does: the exit is learnt from it), then Tasks.Start; the pid. */
    private int startProcess(Exec e) {
        watchExit(e);
        return ctd.tasks().start(TasksOuterClass.StartRequest.newBuilder().setContainerId(e.containerId)
                .setExecId(e.id).build()).getPid();
    }

    /** Asks containerd for the exec's exit; the task event stream ({@link #onExit}) stays the fallback. */
    private void watchExit(Exec e) {
        ctd.tasksAsync().wait(TasksOuterClass.WaitRequest.newBuilder().setContainerId(e.containerId)
                .setExecId(e.id).build(), new StreamObserver<>() {
            @Override
            public void onNext(TasksOuterClass.WaitResponse r) {
                Trace.mark("exec", e.id, "wait returned");
                exited(e, r.getExitStatus());
            }

            @Override
            public void onError(Throwable t) {
                LOG.log(Level.FINE, "Tasks.Wait of exec " + e.id + " ended without the exit", t);
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    private void finish(Exec e, int code) {
        synchronized (e) {
            e.running = false;
            e.exitSeen = true;
            e.exitCode = code;
            e.io = null;
            e.finishedAt = System.currentTimeMillis();
            save(e);
        }
        e.exit.complete(code);
    }

    /** Exit of an exec'd process, from the task event stream. */
    private void onExit(String containerId, String execId, int pid, int status, Instant at) {
        Exec e = execs.get(execId);
        if (e == null || !e.containerId.equals(containerId)) {
            return;
        }
        Trace.mark("exec", execId, "exit event");
        exited(e, status);
    }

    /** The first report of the exit (Wait or event) ends the exec: output drained, exit code, process deleted. */
    private void exited(Exec e, int status) {
        ContainerIO io;
        synchronized (e) {
            if (!e.running || e.exitSeen) {
                return;
            }
            if (!e.startDone) {
                // the exit of a start that may still fail (then start sets 126/127): act once Start returned
                e.earlyExit = status;
                return;
            }
            e.exitSeen = true;
            io = e.io;
        }
        // the exit code first: the attached client is waiting for it to end its stream (latency of docker exec).
        // Output drained already (the usual order: the shim closes the FIFOs before it reports the exit): set here,
        // without a hop to another thread.
        boolean drained = io == null || io.isDrained();
        if (drained) {
            finish(e, status < 0 ? 255 : status);
        }
        Thread.ofVirtual().name("exec-exit-" + e.id.substring(0, Math.min(12, e.id.length()))).start(() -> {
            if (!drained) {
                try {
                    io.awaitDrained(2000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                Trace.mark("exec", e.id, "drained");
                finish(e, status < 0 ? 255 : status);
            }
            deleteProcess(e);
            if (io != null) {
                io.close();
            }
            try {
                publish(containers.processView(e.containerId), "exec_die",
                        Map.of("execID", e.id, "exitCode", Integer.toString(status)));
            } catch (PouchException gone) {
                // the container was removed meanwhile
            }
        });
    }

    private void save(Exec e) {
        if (store != null) {
            synchronized (e) {
                store.save(e.record());
            }
        }
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
            if (height <= 0 || width <= 0) {
                return;
            }
            if (!e.startDone) {
                // the docker CLI resizes as soon as the start is answered, which can be while Tasks.Start runs; the
                // shim then answers OK without a console to resize, and the CLI, told OK, never retries: the size
                // is kept and applied when the start returns
                e.pendingSize = new int[] {height, width};
                return;
            }
        }
        resizePty(e, height, width);
    }

    private void resizePty(Exec e, int height, int width) {
        String id = e.id;
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
        try {
            ObjectNode p = baseProcess(c).deepCopy();
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

    /**
     * The process section of the container's spec in containerd. It is written when the container starts (and
     * {@code update} changes only resources), so it is cached per container and task pid and dropped on the
     * container's lifecycle events: an exec then costs no Containers/Get.
     */
    private ObjectNode baseProcess(ContainerManager.ProcessView c) throws IOException {
        CachedProcess cached = processCache.get(c.id());
        if (cached != null && cached.pid() == c.pid()) {
            return cached.process();
        }
        ContainersOuterClass.Container rec = ctd.containers().get(ContainersOuterClass.GetContainerRequest.newBuilder()
                .setId(c.id()).build()).getContainer();
        JsonNode spec = Json.MAPPER.readTree(rec.getSpec().getValue().toByteArray());
        if (!(spec.get("process") instanceof ObjectNode process)) {
            throw new IOException("the spec has no process");
        }
        processCache.put(c.id(), new CachedProcess(c.pid(), process));
        return process;
    }

    private record CachedProcess(int pid, ObjectNode process) {
    }

    private void onContainerEvent(Event ev) {
        if ("container".equals(ev.type()) && ev.action() != null && !ev.action().startsWith("exec_")
                && ev.actor() != null && ev.actor().id() != null) {
            processCache.remove(ev.actor().id());
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

    /**
     * Drops the execs of removed containers and those finished more than {@link #KEEP_MILLIS} ago (with their
     * records), and gives back the resources of speculative preparations nobody started in time.
     */
    void purge() {
        long now = System.currentTimeMillis();
        List<Exec> release = new ArrayList<>();
        List<CompletableFuture<Prepared>> preps = new ArrayList<>();
        List<Exec> forgotten = new ArrayList<>();
        execs.values().removeIf(e -> {
            boolean gone = !containerExists(e.containerId);
            synchronized (e) {
                if (!e.started && e.prepared != null && (gone || now - e.preparedAt > PREPARED_MILLIS)) {
                    release.add(e);
                    preps.add(e.prepared);
                    e.prepared = null;
                }
                boolean old = !e.running && e.started && e.exitCode != null && now - e.finishedAt > KEEP_MILLIS;
                if (gone || old) {
                    forgotten.add(e);
                }
                return gone || old;
            }
        });
        // outside the exec's monitor: inspect takes it on the API's event loop, which must not wait for a file
        for (Exec e : forgotten) {
            if (store != null) {
                store.delete(e.containerId, e.id);
            }
        }
        for (int i = 0; i < release.size(); i++) {
            Exec e = release.get(i);
            preps.get(i).thenAccept(p -> Thread.ofVirtual().start(() -> {
                if (p.io() != null) {
                    deleteProcess(e);
                    p.io().close();
                }
            }));
        }
    }

    private boolean containerExists(String id) {
        try {
            containers.processView(id);
            return true;
        } catch (PouchException ex) {
            return false;
        }
    }

    /**
     * After a pouchd restart: the records on disk come back. A process containerd still runs stays running (its
     * output FIFOs are drained again, its exit learnt with Tasks.Wait); one that ended shows its exit status; one
     * containerd no longer knows (its shim went, e.g. the container stopped while pouchd was down) ends with
     * {@link #UNKNOWN_EXIT}.
     */
    private void restore() {
        int n = 0;
        for (ExecRecord r : store.loadAll()) {
            if (!containerExists(r.containerId())) {
                store.delete(r.containerId(), r.id());
                continue;
            }
            Exec e = new Exec(r.id(), r.containerId(), r.config());
            synchronized (e) {
                e.started = r.started();
                e.running = r.running();
                e.exitCode = r.exitCode();
                e.pid = r.pid();
                e.finishedAt = r.finishedAt();
                e.exitSeen = r.started() && !r.running(); // a created one still has its exit to come
                e.startDone = r.started();
            }
            execs.put(e.id, e);
            n++;
            if (!r.started() || r.exitCode() != null) {
                if (r.exitCode() != null) {
                    e.exit.complete(r.exitCode());
                }
                continue;
            }
            if (!r.running()) {
                finish(e, UNKNOWN_EXIT); // it died between the start and its record: nothing else is known
                continue;
            }
            reattach(e);
        }
        if (n > 0) {
            LOG.info("restored " + n + " exec record(s)");
        }
    }

    private void reattach(Exec e) {
        Task.Process p;
        try {
            p = ctd.tasks().get(TasksOuterClass.GetRequest.newBuilder().setContainerId(e.containerId)
                    .setExecId(e.id).build()).getProcess();
        } catch (StatusRuntimeException sre) {
            if (sre.getStatus().getCode() == Status.Code.NOT_FOUND) {
                finish(e, UNKNOWN_EXIT);
            } else {
                LOG.warning("cannot look up exec " + e.id + " in containerd: " + sre.getStatus());
                watchExit(e);
            }
            return;
        }
        if (p.getStatus() == Task.Status.STOPPED) {
            finish(e, p.getExitStatus());
            deleteProcess(e);
            return;
        }
        try {
            // keep draining its output (nobody reads it, but a full pipe would block the process)
            ContainerIO io = ContainerIOs.reopen(ContainerIO.fifoDir(execRoot, e.containerId), e.id,
                    e.config.tty(), e.config.attachStdin(), true, LogSink.NONE);
            synchronized (e) {
                e.io = io;
            }
        } catch (PouchException gone) {
            LOG.fine("exec " + e.id + " has no FIFOs left: " + gone.getMessage());
        }
        synchronized (e) {
            if (p.getPid() != 0) {
                e.pid = p.getPid();
            }
        }
        watchExit(e);
    }

    /** Runs {@link #purge()} every minute, as dockerd's exec GC does every few minutes. */
    private void startPruner() {
        Thread.ofVirtual().name("exec-pruner").start(() -> {
            while (true) {
                try {
                    Thread.sleep(60_000);
                    purge();
                } catch (InterruptedException ie) {
                    return;
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "pruning exec records failed", ex);
                }
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
