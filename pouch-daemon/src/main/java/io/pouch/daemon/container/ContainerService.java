package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.container.ContainerSummary;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.ContainerUpgrade;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.logs.LogFile;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The container operations the {@code /containers} routes call (implemented by {@link ContainerManager}). A
 * {@code ref} is what a user typed: a full id, a name (with or without "/"), or a unique id prefix; an unknown one
 * is a 404.
 */
public interface ContainerService {
    /** @param net the network part of the request (NetworkingConfig, Links) */
    ContainerCreateResponse create(String name, ContainerConfig config, HostConfig hostConfig, NetworkRequest net);

    /**
     * The CRI server's create: as {@link #create}, and the host config may choose the {@code cri} log driver,
     * which the Engine API refuses. Not reachable through the routes.
     */
    default ContainerCreateResponse createForCri(String name, ContainerConfig config, HostConfig hostConfig,
                                                 NetworkRequest net) {
        throw new UnsupportedOperationException("no CRI create here");
    }

    List<ContainerSummary> list(boolean all, int limit, boolean size, Filters filters);

    ContainerInspect inspect(String ref, boolean size);

    /** What the container is now, from memory alone (no mounts, no storage data); 404 when unknown. */
    ContainerBrief brief(String ref);

    /** inspect from memory alone, or null when the answer needs a thread that may block. Never blocks. */
    ContainerInspect inspectCached(String ref, boolean size);

    void start(String ref);

    /** @param timeoutSeconds null: the container's stop timeout */
    void stop(String ref, Integer timeoutSeconds);

    void restart(String ref, Integer timeoutSeconds);

    void kill(String ref, String signal);

    void pause(String ref);

    void unpause(String ref);

    void remove(String ref, boolean force, boolean volumes);

    /** {@code POST /containers/prune}: dockerd's answer ({@code ContainersDeleted}, {@code SpaceReclaimed}). */
    Map<String, Object> prune(Filters filters);

    void rename(String ref, String newName);

    void resize(String ref, int height, int width);

    /** Looks the container up now (404 before any answer); the future yields the exit code. */
    CompletableFuture<Integer> waitFor(String ref, String condition);

    void upgrade(String ref, ContainerUpgrade upgrade);

    /** @return Docker's warnings */
    List<String> update(String ref, ContainerUpdate update);

    /** The full id of what {@code ref} names. */
    String resolveId(String ref);

    /** Refuses {@code logs} for a container whose log driver keeps nothing to read (501). */
    void requireReadableLogs(String ref);

    /** The file {@code logs} reads for the container, and its format (json-file's file, or the cri driver's). */
    LogFile logFile(String id);

    boolean isTty(String ref);

    /** Whether a followed log may still grow: running, or a policy restart is pending. */
    boolean mayLogMore(String ref);

    /** The I/O an attaching client subscribes to (the next start's, for a container that is not running). */
    ContainerIO ioForAttach(String ref);

    /**
     * Completes once the exit of the run whose I/O is {@code io} is recorded (state exited, exit code set), at
     * once when {@code io} is not the running process's (a start that failed, a container removed).
     */
    CompletableFuture<Void> exitRecorded(String id, ContainerIO io);

    /** Docker's {@code attach} event. */
    void attached(String ref);

    /** The main process reads EOF on stdin. */
    void closeStdin(String id);
}
