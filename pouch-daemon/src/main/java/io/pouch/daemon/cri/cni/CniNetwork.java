package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The pod network of the CRI server, set up by CNI plugins as containerd's CRI plugin does it with libcni: the
 * loopback plugin for "lo", then the configured network list for "eth0", each ADD's result cached so that DEL and
 * CHECK run later with the configuration and result the pod was set up with.
 */
public final class CniNetwork {
    /** Runs the loopback plugin on a thread of its own, beside the network's chain. */
    private static final Executor BESIDE = task -> Thread.ofVirtual().start(task);
    private static final Logger LOG = Logger.getLogger(CniNetwork.class.getName());
    static final String IF_NAME = "eth0";
    static final String LO_IF_NAME = "lo";
    static final String NOT_READY = "NetworkPluginNotReady";
    /** gocni's loopback network; 0.3.1 so that plugins of every release since take it. */
    static final String LOOPBACK_NAME = "cni-loopback";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final CniConfigDir configDir;
    private final PluginInvoker invoker;
    private final ResultCache cache;
    private final NetworkConfigList loopback;

    /** Whether the pod network can be set up, as the CRI's NetworkReady condition reports it. */
    public record Status(boolean ready, String reason, String message) {
    }

    private CniNetwork(CniConfigDir configDir, PluginInvoker invoker, ResultCache cache) {
        this.configDir = configDir;
        this.invoker = invoker;
        this.cache = cache;
        ObjectNode lo = Json.MAPPER.createObjectNode();
        lo.put("cniVersion", "0.3.1");
        lo.put("name", LOOPBACK_NAME);
        lo.putArray("plugins").addObject().put("type", "loopback");
        this.loopback = NetworkConfigList.fromList(lo);
    }

    /**
     * The network configured in {@code confDir} (read again whenever it changes), its plugins found in
     * {@code binDirs}, ADD results kept under {@code cacheDir}.
     */
    public static CniNetwork load(Path confDir, List<Path> binDirs, Path cacheDir) {
        return load(confDir, binDirs, cacheDir, DEFAULT_TIMEOUT);
    }

    static CniNetwork load(Path confDir, List<Path> binDirs, Path cacheDir, Duration pluginTimeout) {
        return new CniNetwork(new CniConfigDir(confDir), new PluginInvoker(binDirs, pluginTimeout),
                new ResultCache(cacheDir));
    }

    public Status status() {
        CniConfigDir.Selection s = configDir.current();
        if (s.network() == null) {
            String msg = "cni config uninitialized: no network config found in " + configDir.dir()
                    + (s.problems().isEmpty() ? "" : " (skipped " + String.join("; ", s.problems()) + ")");
            return new Status(false, NOT_READY, msg);
        }
        for (NetworkConfigList list : List.of(loopback, s.network())) {
            for (String type : list.binaries()) {
                if (invoker.find(type).isEmpty()) {
                    return new Status(false, NOT_READY, "cni config uninitialized: plugin \"" + type
                            + "\" of network \"" + list.name() + "\" (" + (list == loopback ? "built in" : s.source())
                            + ") not found in " + invoker.binDirs());
                }
            }
        }
        return new Status(true, "", "");
    }

    /**
     * Attaches the pod: ADD of the loopback network, then of the configured network. When a plugin fails, what
     * was added is deleted again before the error is thrown, so a pod is never left half attached.
     */
    public PodNetworkResult setUp(PodNetworkRequest r) {
        checkIds(r);
        if (r.netnsPath() == null || r.netnsPath().isEmpty() || !Files.exists(Path.of(r.netnsPath()))) {
            throw PouchException.invalidArgument("network namespace \"" + r.netnsPath() + "\" of sandbox "
                    + r.sandboxId() + " does not exist");
        }
        NetworkConfigList network = readyNetwork();
        String cniArgs = PluginInput.cniArgs(r);
        ObjectNode capabilityArgs = PluginInput.capabilityArgs(r.portMappings());

        // lo and eth0 are independent: the loopback plugin runs beside the network's chain, as a pod start waits
        CompletableFuture<Void> lo = CompletableFuture.runAsync(
                () -> add(loopback, r, LO_IF_NAME, cniArgs, Json.MAPPER.createObjectNode()), BESIDE);
        JsonNode result = null;
        RuntimeException failed = null;
        try {
            result = add(network, r, IF_NAME, cniArgs, capabilityArgs);
        } catch (RuntimeException e) {
            failed = e;
        }
        RuntimeException loFailed = joined(lo);
        if (failed == null && loFailed == null) {
            return new PodNetworkResult(CniResults.podIps(result), IF_NAME);
        }
        RuntimeException error = failed != null ? failed : loFailed;
        if (loFailed == null) {
            undo(() -> del(loopback, r.sandboxId(), r.netnsPath(), LO_IF_NAME, cniArgs,
                    Json.MAPPER.createObjectNode(), null, loopback.plugins().size()), error);
        }
        cache.remove(loopback.name(), r.sandboxId(), LO_IF_NAME);
        if (failed == null) {
            undo(() -> del(network, r.sandboxId(), r.netnsPath(), IF_NAME, cniArgs, capabilityArgs, null,
                    network.plugins().size()), error);
            cache.remove(network.name(), r.sandboxId(), IF_NAME);
        }
        throw error;
    }

    private static RuntimeException joined(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    /**
     * Detaches the pod: DEL of each plugin in reverse order, with the cached configuration and result when there
     * are (else with the configuration in effect), then the cache is dropped. Deleting what is already gone is
     * not an error, and a network namespace that no longer exists is passed as none (CNI_NETNS empty), as
     * containerd does, so the plugins still release addresses and host rules.
     */
    public void tearDown(PodNetworkRequest r) {
        checkIds(r);
        String netns = r.netnsPath() != null && !r.netnsPath().isEmpty() && Files.exists(Path.of(r.netnsPath()))
                ? r.netnsPath() : "";
        String cniArgs = PluginInput.cniArgs(r);
        CompletableFuture<Void> lo = CompletableFuture.runAsync(() -> del(loopback, r.sandboxId(), netns, LO_IF_NAME,
                cniArgs, Json.MAPPER.createObjectNode(), null, loopback.plugins().size()), BESIDE);
        Optional<ResultCache.Entry> cached = cache.find(r.sandboxId(), IF_NAME);
        if (cached.isPresent()) {
            ResultCache.Entry e = cached.get();
            NetworkConfigList list = NetworkConfigList.fromList(e.config());
            del(list, r.sandboxId(), netns, IF_NAME, cniArgs, e.capabilityArgs(), e.result(), list.plugins().size());
            cache.remove(e.networkName(), r.sandboxId(), IF_NAME);
        } else {
            NetworkConfigList current = configDir.current().network();
            if (current != null) {
                del(current, r.sandboxId(), netns, IF_NAME, cniArgs, PluginInput.capabilityArgs(r.portMappings()),
                        null, current.plugins().size());
            }
        }
        RuntimeException loFailed = joined(lo);
        if (loFailed != null) {
            throw loFailed;
        }
        cache.remove(loopback.name(), r.sandboxId(), LO_IF_NAME);
    }

    /**
     * CHECK of the pod's network against its cached result (spec 0.4.0 and later; a network of an older version
     * or with disableCheck is not checked). Throws when the pod has no network set up or a plugin finds it broken.
     */
    public void check(PodNetworkRequest r) {
        checkIds(r);
        ResultCache.Entry e = cache.find(r.sandboxId(), IF_NAME).orElseThrow(() -> PouchException.notFound(
                "no pod network set up for sandbox " + r.sandboxId()));
        NetworkConfigList list = NetworkConfigList.fromList(e.config());
        if (!list.atLeast040() || list.disableCheck()) {
            return;
        }
        String cniArgs = PluginInput.cniArgs(r);
        for (int i = 0; i < list.plugins().size(); i++) {
            invoker.invoke(list.type(i), list.name(),
                    PluginInput.env("CHECK", r.sandboxId(), r.netnsPath(), IF_NAME, invoker.binDirs(), cniArgs),
                    PluginInput.stdin(list, i, e.result(), e.capabilityArgs()));
        }
    }

    private NetworkConfigList readyNetwork() {
        Status st = status();
        if (!st.ready()) {
            throw new PouchException(503, "network plugin not ready: " + st.message());
        }
        return configDir.current().network();
    }

    /** ADD of every plugin of {@code list}, each given the previous one's result; the last result is cached. */
    private JsonNode add(NetworkConfigList list, PodNetworkRequest r, String ifName, String cniArgs,
                         ObjectNode capabilityArgs) {
        JsonNode prev = null;
        int i = 0;
        try {
            for (; i < list.plugins().size(); i++) {
                prev = invoker.invoke(list.type(i), list.name(),
                        PluginInput.env("ADD", r.sandboxId(), r.netnsPath(), ifName, invoker.binDirs(), cniArgs),
                        PluginInput.stdin(list, i, prev, capabilityArgs));
            }
            cache.put(new ResultCache.Entry(list.name(), r.sandboxId(), ifName, list.raw(), capabilityArgs, prev));
            return prev;
        } catch (RuntimeException e) {
            // the failed plugin may have done part of its work: DEL it too, and all before it
            JsonNode last = prev;
            int upTo = Math.min(i + 1, list.plugins().size());
            undo(() -> del(list, r.sandboxId(), r.netnsPath(), ifName, cniArgs, capabilityArgs, last, upTo), e);
            throw e;
        }
    }

    /** DEL of the first {@code count} plugins of {@code list}, last first. */
    private void del(NetworkConfigList list, String containerId, String netns, String ifName, String cniArgs,
                     ObjectNode capabilityArgs, JsonNode prevResult, int count) {
        // before 0.4.0 the spec gives DEL no previous result
        JsonNode prev = list.atLeast040() ? prevResult : null;
        for (int i = count - 1; i >= 0; i--) {
            invoker.invoke(list.type(i), list.name(),
                    PluginInput.env("DEL", containerId, netns, ifName, invoker.binDirs(), cniArgs),
                    PluginInput.stdin(list, i, prev, capabilityArgs));
        }
    }

    private static void undo(Runnable cleanup, RuntimeException cause) {
        try {
            cleanup.run();
        } catch (RuntimeException x) {
            LOG.log(Level.WARNING, "cleanup after a failed CNI ADD failed too: " + x.getMessage());
            cause.addSuppressed(x);
        }
    }

    private static void checkIds(PodNetworkRequest r) {
        if (r.sandboxId() == null || !NetworkConfigList.SAFE_NAME.matcher(r.sandboxId()).matches()) {
            throw PouchException.invalidArgument("invalid sandbox id \"" + r.sandboxId() + "\"");
        }
    }
}
