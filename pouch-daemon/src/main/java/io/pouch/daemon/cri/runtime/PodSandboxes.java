package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.api.container.ContainerSummary;
import io.pouch.cri.v1.LinuxPodSandboxStatus;
import io.pouch.cri.v1.Namespace;
import io.pouch.cri.v1.PodIP;
import io.pouch.cri.v1.PodSandbox;
import io.pouch.cri.v1.PodSandboxConfig;
import io.pouch.cri.v1.PodSandboxFilter;
import io.pouch.cri.v1.PodSandboxNetworkStatus;
import io.pouch.cri.v1.PodSandboxState;
import io.pouch.cri.v1.PodSandboxStatus;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.sys.Trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pod sandboxes: each is an engine container running the pause image, plus its CNI network. Run sets up the
 * network only once the pause process holds the namespace; stop tears the network down before the namespace
 * goes; both stop and remove are idempotent, as newer kubelets expect.
 */
final class PodSandboxes {
    private static final Logger LOG = Logger.getLogger(PodSandboxes.class.getName());
    static final Filters SANDBOXES = new Filters(Map.of("label", List.of(CriLabels.TYPE + "=" + CriLabels.SANDBOX)));

    private final ContainerService engine;
    private final CriRecords records;
    private final PodNetworking network;
    private final SandboxImages images;
    private final String sandboxImage;
    private final KeyedLocks locks = new KeyedLocks();

    PodSandboxes(ContainerService engine, CriRecords records, PodNetworking network, SandboxImages images,
                 String sandboxImage) {
        this.engine = engine;
        this.records = records;
        this.network = network;
        this.images = images;
        this.sandboxImage = sandboxImage;
    }

    String run(PodSandboxConfig config, String runtimeHandler) {
        SandboxSpecs.validate(config);
        String runtime = RuntimeHandlers.runtime(runtimeHandler);
        var m = config.getMetadata();
        String name = CriLabels.sandboxName(m.getName(), m.getNamespace(), m.getUid(), m.getAttempt());
        long t0 = Trace.start();
        String image = images.ensure(sandboxImage);
        SandboxSpecs.Spec spec = SandboxSpecs.of(config, image, runtime);
        String id = engine.create(name, spec.config(), spec.hostConfig(), NetworkRequest.EMPTY).id();
        Trace.end("cri", "sandbox-create", id, t0);
        return locks.with(id, () -> {
            try {
                records.saveSandbox(id, config);
                long t1 = Trace.start();
                engine.start(id);
                Trace.end("cri", "sandbox-start", id, t1);
                if (!SandboxSpecs.hostNetwork(config)) {
                    long t2 = Trace.start();
                    int pid = engine.brief(id).state().pid();
                    String netns = "/proc/" + pid + "/ns/net";
                    List<String> ips = network.setUp(id, netns, m, config.getPortMappingsList());
                    records.saveNetwork(id, new SandboxNetwork(netns, ips, false));
                    Trace.end("cri", "sandbox-network", id, t2);
                }
                return id;
            } catch (RuntimeException e) {
                undo(id, config);
                throw e;
            }
        });
    }

    /** A run that failed leaves nothing: no network, no pause container, no record. */
    private void undo(String id, PodSandboxConfig config) {
        try {
            SandboxNetwork n = records.network(id);
            if (!n.tornDown()) {
                network.tearDown(id, n.netns(), config.getMetadata(), config.getPortMappingsList());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot tear down the network of failed sandbox " + id, e);
        }
        try {
            engine.remove(id, true, true);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot remove failed sandbox " + id, e);
        }
        records.forgetSandbox(id);
    }

    /** Stops the sandbox's containers and its network, then the pause container. A missing sandbox is done. */
    void stop(String ref, PodContainers containers) {
        String id = resolveOrNull(ref);
        if (id == null) {
            return;
        }
        locks.with(id, () -> {
            for (String c : containers.idsOfSandbox(id)) {
                containers.stopQuietly(c, 0);
            }
            long t0 = Trace.start();
            tearDownNetwork(id);
            Trace.end("cri", "sandbox-network-down", id, t0);
            CriRefs.untilGone(() -> engine.stop(id, 0));
            return null;
        });
    }

    private void tearDownNetwork(String id) {
        PodSandboxConfig config = records.sandboxConfig(id);
        SandboxNetwork n = records.network(id);
        if (config == null || SandboxSpecs.hostNetwork(config) || n.tornDown()) {
            return;
        }
        network.tearDown(id, n.netns(), config.getMetadata(), config.getPortMappingsList());
        records.saveNetwork(id, n.withTornDown());
    }

    /** Removes the sandbox, its containers and its records; a missing sandbox is done. */
    void remove(String ref, PodContainers containers) {
        String id = resolveOrNull(ref);
        if (id == null) {
            return;
        }
        locks.with(id, () -> {
            for (String c : containers.idsOfSandbox(id)) {
                containers.remove(c);
            }
            tearDownNetwork(id);
            CriRefs.untilGone(() -> engine.remove(id, true, true));
            records.forgetSandbox(id);
            return null;
        });
    }

    /** The full id of a CRI sandbox named by id or unique id prefix, or null. */
    String resolveOrNull(String ref) {
        return CriRefs.resolveOrNull(engine, ref, "pod sandbox", id -> records.sandboxConfig(id) != null);
    }

    String resolve(String ref) {
        return CriRefs.resolve(engine, ref, "pod sandbox", id -> records.sandboxConfig(id) != null);
    }

    PodSandboxConfig config(String id) {
        PodSandboxConfig c = records.sandboxConfig(id);
        if (c == null) {
            throw PouchException.notFound("pod sandbox " + id + " not found");
        }
        return c;
    }

    boolean ready(String id) {
        try {
            return engine.brief(id).state().running();
        } catch (PouchException e) {
            return false;
        }
    }

    /** The pid of the pause process, or 0 when it is not running. */
    int pausePid(String id) {
        ContainerBrief i = engine.brief(id);
        return i.state().running() ? i.state().pid() : 0;
    }

    PodSandboxStatus status(String ref) {
        String id = resolve(ref);
        PodSandboxConfig c = config(id);
        ContainerBrief i = engine.brief(id);
        SandboxNetwork n = records.network(id);
        PodSandboxNetworkStatus.Builder net = PodSandboxNetworkStatus.newBuilder();
        if (!n.ips().isEmpty() && !n.tornDown()) {
            net.setIp(n.ips().getFirst());
            for (String extra : n.ips().subList(1, n.ips().size())) {
                net.addAdditionalIps(PodIP.newBuilder().setIp(extra));
            }
        }
        return PodSandboxStatus.newBuilder()
                .setId(id)
                .setMetadata(c.getMetadata())
                .setState(i.state().running() ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY)
                .setCreatedAt(CriTimes.nanos(i.created()))
                .setNetwork(net)
                .setLinux(LinuxPodSandboxStatus.newBuilder().setNamespaces(Namespace.newBuilder()
                        .setOptions(SandboxSpecs.namespaces(c))))
                .putAllLabels(c.getLabelsMap())
                .putAllAnnotations(c.getAnnotationsMap())
                .setRuntimeHandler(RuntimeHandlers.handler(i.hostConfig().runtime()))
                .build();
    }

    /** The verbose status's info: what kubelet's debugging tools show (pid, network namespace, config). */
    Map<String, String> info(String id, PodSandboxStatus status) {
        ContainerBrief i = engine.brief(id);
        SandboxNetwork n = records.network(id);
        return Map.of("info", VerboseInfo.sandbox(id, i.state().pid(), n.netns(), i.hostConfig().runtime(),
                records.sandboxConfig(id)));
    }

    List<PodSandbox> list(PodSandboxFilter filter) {
        List<PodSandbox> out = new ArrayList<>();
        for (ContainerSummary s : engine.list(true, -1, false, SANDBOXES)) {
            if (!filter.getId().isEmpty() && !s.id().startsWith(filter.getId())) {
                continue;
            }
            PodSandboxConfig c = records.sandboxConfig(s.id());
            if (c == null) {
                continue;
            }
            boolean running = "running".equals(s.state());
            PodSandboxState state = running ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
            if (filter.hasState() && filter.getState().getState() != state) {
                continue;
            }
            if (!matches(filter.getLabelSelectorMap(), c.getLabelsMap())) {
                continue;
            }
            ContainerBrief i;
            try {
                i = engine.brief(s.id());
            } catch (PouchException e) {
                continue; // removed meanwhile
            }
            long created = CriTimes.nanos(i.created());
            out.add(PodSandbox.newBuilder()
                    .setId(s.id())
                    .setMetadata(c.getMetadata())
                    .setState(state)
                    .setCreatedAt(created)
                    .putAllLabels(c.getLabelsMap())
                    .putAllAnnotations(c.getAnnotationsMap())
                    .setRuntimeHandler(RuntimeHandlers.handler(i.hostConfig().runtime()))
                    .build());
        }
        return out;
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Ids of every CRI sandbox the engine holds. */
    List<String> ids() {
        return engine.list(true, -1, false, SANDBOXES).stream().map(ContainerSummary::id).toList();
    }
}
