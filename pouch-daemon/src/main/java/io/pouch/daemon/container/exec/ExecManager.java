package io.pouch.daemon.container.exec;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.Processes;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.sys.Trace;

import java.io.OutputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code docker exec}: processes started inside a running container's task, as containerd's exec processes.
 *
 * <p>Latency (what {@code docker exec true} waits for): the process is prepared speculatively when the exec is
 * created ({@link ExecPreparer}: FIFOs, the container's process spec, Tasks.Exec, which only registers it in the
 * shim), while the CLI opens its second connection for the start; the start is then just Tasks.Start
 * ({@link ExecStarter}). The exit is learnt from Tasks.Wait, with the task event stream as a fallback
 * ({@link ExecExits}). A prepared exec that is not started in time gives its resources back and is prepared again at
 * start ({@link ExecPruner}).
 *
 * <p>Records survive a pouchd restart ({@link ExecStore}, in the container's state dir; {@link ExecRestorer}).
 * Finished execs are kept for inspect for a while, or until the container is removed.
 */
public final class ExecManager {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ProcessViews containers;
    private final ExecTable table;
    private final ExecEvents events;
    private final ExecPreparer preparer;
    private final ExecStarter starter;
    private final ExecExits exits;
    private final ExecProcesses processes;
    private final ExecRestorer restorer;
    private final ExecPruner pruner;
    private final HiddenExecs hidden;

    ExecManager(Processes processes, ExecSpecs.ContainerSpecs specs, ProcessViews containers, EventBus bus,
                Path execRoot, ExecStore store) {
        this.containers = containers;
        this.table = new ExecTable(store, containers);
        this.events = new ExecEvents(bus);
        this.processes = new ExecProcesses(processes);
        ExecSpecs execSpecs = new ExecSpecs(specs);
        bus.subscribe(execSpecs::onContainerEvent);
        this.preparer = new ExecPreparer(this.processes, execSpecs, containers, execRoot);
        this.exits = new ExecExits(table, this.processes, containers, events);
        this.starter = new ExecStarter(preparer, this.processes, exits, table, containers, events);
        this.restorer = new ExecRestorer(table, this.processes, exits, execRoot);
        this.pruner = new ExecPruner(table, this.processes);
        this.hidden = new HiddenExecs(preparer, this.processes, containers, events);
    }

    /**
     * The exec manager of a running pouchd: it hears exec exits and answers ExecIDs for the container manager,
     * restores the exec records found in the containers' state dirs (call after {@code ContainerManager.start()}),
     * and prunes old execs every minute.
     *
     * @param containersDir where the containers' state dirs are ({@code DaemonConfig.containersDir()})
     */
    public static ExecManager start(Containerd ctd, ContainerManager containers, EventBus events, Path execRoot,
                                    Path containersDir) {
        ExecManager m = new ExecManager(Processes.of(ctd), new Containers(ctd)::spec, containers::processView, events,
                execRoot, new ExecStore(containersDir));
        containers.execExitListener(m::onExit);
        containers.execIdsSource(m::execIds);
        m.restorer.restore();
        m.pruner.start();
        return m;
    }

    /** Never blocks (answered on the API's event loop): the process is prepared on a virtual thread. */
    public String create(String containerRef, ExecConfig cfg) {
        ExecChecks.validate(cfg);
        ContainerManager.ProcessView c = containers.processView(containerRef);
        ExecChecks.requireRunning(c);
        // old execs are purged by the pruner, every minute: this runs on the API's event loop and must not wait
        String id = newId();
        CompletableFuture<PreparedProcess> preparation = new CompletableFuture<>();
        Exec e = Exec.created(id, c.id(), cfg, preparation, System.currentTimeMillis());
        table.add(e);
        table.save(e);
        // made while the client opens its connection for the start
        Thread.ofVirtual().name("exec-prep-" + id.substring(0, 12))
                .start(() -> preparation.complete(preparer.prepare(e)));
        Trace.mark("exec", id, "created");
        events.publish(c, "exec_create: " + String.join(" ", cfg.cmd()), Map.of("execID", id));
        return id;
    }

    /** 404 when there is no such exec or its container was removed (then its execs are purged). */
    Exec get(String id) {
        Exec e = table.find(id);
        if (e != null && !table.containerExists(e.containerId)) {
            pruner.purge(); // the container was removed: its execs (and their records, in its dir) went with it
            e = null;
        }
        if (e == null) {
            throw PouchException.notFound("No such exec instance: " + id);
        }
        return e;
    }

    /** Never blocks (it is answered on the API's event loop): an exec of a removed container is not purged here. */
    public ExecInspect inspect(String id) {
        Exec e = table.find(id);
        if (e == null || !table.containerExists(e.containerId)) {
            throw PouchException.notFound("No such exec instance: " + id);
        }
        Trace.mark("exec", id, "inspect");
        return e.inspect();
    }

    /**
     * Runs {@code cmd} inside the running container as pouchd's own exec (a healthcheck probe): not listed in
     * ExecIDs, not kept; its output goes to {@code output}. The exit code, or null when it ran past {@code timeout}
     * and was killed. Interrupted: the process is killed first. 409 when the container is not running or paused.
     *
     * @param user       the user to run as (empty: the container's)
     * @param workingDir the working dir (empty: the container's)
     */
    public Integer runHidden(String containerId, List<String> cmd, String user, String workingDir, OutputStream output,
                             Duration timeout) throws InterruptedException {
        return hidden.run(containerId, cmd, user, workingDir, output, timeout).exitCode();
    }

    /**
     * As {@link #runHidden(String, List, String, String, OutputStream, Duration)}, with stdout and stderr kept
     * apart (the CRI's ExecSync answers them separately).
     */
    public Integer runHidden(String containerId, List<String> cmd, OutputStream stdout, OutputStream stderr,
                             Duration timeout) throws InterruptedException {
        return hidden.run(containerId, cmd, null, null, stdout, stderr, timeout).exitCode();
    }

    /**
     * Runs {@code cmd} in the running container wired to a client's streams, as the CRI's streaming exec needs;
     * see {@link HiddenExecs#interactive}.
     */
    public int runInteractive(String containerId, List<String> cmd, boolean tty, java.io.InputStream stdin,
                              OutputStream stdout, OutputStream stderr,
                              java.util.function.Consumer<java.util.function.BiConsumer<Integer, Integer>> resizes)
            throws InterruptedException {
        return hidden.interactive(containerId, cmd, tty, stdin, stdout, stderr, resizes);
    }

    /** Exec ids of a container (for its inspect's ExecIDs); running or not yet started ones, as dockerd. */
    public List<String> execIds(String containerId) {
        return table.idsOf(containerId);
    }

    /** See {@link ExecStarter#claim}. */
    ExecClaim claim(Exec e) {
        return starter.claim(e);
    }

    /** See {@link ExecStarter#awaitPrepared}. */
    ContainerIO awaitPrepared(ExecClaim c) {
        return starter.awaitPrepared(c);
    }

    /** See {@link ExecStarter#start}. */
    void start(Exec e) {
        starter.start(e);
    }

    /** The process reads EOF on stdin. */
    void closeStdin(Exec e) {
        processes.closeStdin(e);
    }

    public void resize(String id, int height, int width) {
        Exec e = get(id);
        if (e.resize(height, width)) {
            processes.resize(e, height, width);
        }
    }

    /** Exit of an exec'd process, from the task event stream. */
    public void onExit(String containerId, String execId, int pid, int status, Instant at) {
        exits.onExit(containerId, execId, pid, status, at);
    }

    /** Forgets execs of removed containers and old finished ones now (the pruner does it every minute). */
    void purge() {
        pruner.purge();
    }

    /** Brings back the records of a previous pouchd. */
    void restore() {
        restorer.restore();
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
