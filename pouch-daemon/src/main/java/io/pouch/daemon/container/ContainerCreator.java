package io.pouch.daemon.container;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerCreateResponse;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Containers;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.network.NetworkRequest;
import io.pouch.daemon.quota.DiskQuotaRules;
import io.pouch.daemon.quota.RootfsQuota;
import io.pouch.daemon.volume.ContainerVolumes;
import io.pouch.daemon.volume.PlannedMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.container.Cleanup.quietly;

/**
 * {@code POST /containers/create}: the request normalised ({@link HostConfigDefaults}), validated, merged with
 * its image ({@link ConfigMerge}), and then made real: the state directory and its host files, the mount plan,
 * the metadata, the network record, and containerd's container record and rootfs snapshot. On any failure
 * every step already taken is undone, so nothing is left half-created.
 */
final class ContainerCreator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ContainerStore store;
    private final ContainerStateDirs files;
    private final ContainerEvents events;
    private final ImageLookup images;
    private final ContainerVolumes volumes;
    private final ContainerNetworking networking;
    private final Containers containers;
    private final Snapshots snapshots;
    private final RuntimeSpecs specs;
    private final HostConfigValidation validation;
    private final StartSpecPrediction prediction;
    private final ImageUserFiles userFiles;
    private volatile String defaultCgroupParent;
    private final SpecificIds specificIds = new SpecificIds();

    ContainerCreator(ContainerStore store, ContainerStateDirs files, ContainerEvents events, ImageLookup images,
                     ContainerVolumes volumes, ContainerNetworking networking, Containers containers,
                     Snapshots snapshots, RuntimeSpecs specs, HostConfigValidation validation,
                     StartSpecPrediction prediction, ImageUserFiles userFiles) {
        this.store = store;
        this.files = files;
        this.events = events;
        this.images = images;
        this.volumes = volumes;
        this.networking = networking;
        this.containers = containers;
        this.snapshots = snapshots;
        this.specs = specs;
        this.validation = validation;
        this.prediction = prediction;
        this.userFiles = userFiles;
    }

    /** The daemon's cgroup parent for containers that name none, or null for {@code /pouch}. */
    void setDefaultCgroupParent(String parent) {
        this.defaultCgroupParent = parent;
    }

    /**
     * @param net the network part of the request (NetworkingConfig, Links) that the shared records do not carry
     */
    ContainerCreateResponse create(String requestedName, ContainerConfig cfgIn, HostConfig hcIn,
                                   NetworkRequest net) {
        return create(requestedName, cfgIn, hcIn, net, false);
    }

    /** @param viaCri the CRI server creates the container: its host config may choose the cri log driver */
    ContainerCreateResponse create(String requestedName, ContainerConfig cfgIn, HostConfig hcIn,
                                   NetworkRequest net, boolean viaCri) {
        String id = specificIds.take(cfgIn == null ? null : cfgIn.specificId(), i -> store.byIdOrNull(i) != null);
        try {
            return create(id, requestedName, cfgIn, hcIn, net, viaCri);
        } finally {
            specificIds.release(id);
        }
    }

    /** @param id the new container's id: random or the request's SpecificID */
    private ContainerCreateResponse create(String id, String requestedName, ContainerConfig cfgIn, HostConfig hcIn,
                                           NetworkRequest net, boolean viaCri) {
        ContainerConfig cfg = cfgIn == null ? ContainerConfig.empty() : cfgIn;
        FreeFormFields.check(cfg, hcIn);
        HostConfig normalized = HostConfigDefaults.normalize(hcIn == null ? HostConfig.empty() : hcIn);
        String daemonParent = defaultCgroupParent;
        if (daemonParent != null && normalized.cgroupParent().isEmpty()) {
            normalized = normalized.toBuilder().cgroupParent(daemonParent).build();
        }
        NetworkMode mode = joinByFullId(NetworkMode.parse(normalized.networkMode()));
        HostConfig hc = NamespaceModes.normalize(mode.value().equals(normalized.networkMode()) ? normalized
                : normalized.withNetworkMode(mode.value()), ref -> store.find(ref).id);
        String name = requestedName == null || requestedName.isEmpty() ? null : Names.validate(requestedName);
        HealthConfigs.validate(cfg.healthcheck());
        validation.validate(hc, viaCri);
        NamespaceModes.validate(hc, cfg.hostname(), cfg.domainname());
        networking.validate(mode, cfg, hc, net);
        if (cfg.image() == null || cfg.image().isEmpty()) {
            throw PouchException.invalidArgument("Config.Image is required: give the image to create the container from");
        }
        LocalImage image = images.resolve(cfg.image());
        LocalImage.RunConfig ic = ConfigMerge.of(image);
        // every user mount (-v, --mount, --tmpfs, volumes-from, the image's VOLUME) is validated here and planned;
        // the plan goes into the spec at start
        Map<String, Object> anonymous = new LinkedHashMap<>();
        if (ic.volumes() != null) {
            anonymous.putAll(ic.volumes());
        }
        if (cfg.volumes() != null) {
            anonymous.putAll(cfg.volumes());
        }
        List<PlannedMount> mountPlan = volumes.plan(hc, anonymous, ref -> store.find(ref).id);
        DiskQuotaRules quota = RootfsQuota.validate(cfg.diskQuota(), cfg.quotaId(), quotaDestinations(mountPlan));
        Path init = RuntimeSpecs.initBinaryFor(hc);
        List<String> command = OciSpecBuilder.command(cfg.entrypoint(), cfg.cmd(), ic.entrypoint(), ic.cmd());
        String hostname = hostname(cfg, mode, id);
        ContainerConfig merged = ConfigMerge.merge(cfg, ic, hostname, command);
        Path dir = files.dir(id);
        // the first start's spec where create knows all of it (the start then has nothing to write); else one
        // without the start's parts (the user, namespaces, mounts). Either validates everything the spec depends on
        // before anything is created.
        byte[] predicted = prediction.predict(id, merged, hc, net, image.chainId(), mountPlan, init, dir);
        byte[] spec = predicted != null ? predicted : specs.forCreate(id, merged, hc, List.of(), init, dir);

        if (name == null) {
            name = Names.generate(store::nameTaken);
        }
        store.reserveName(name, id);
        boolean attached = false;
        // containerd's record and snapshot are made while the files below are written: neither needs the other,
        // and a crash before the metadata exists leaves containerd objects that boot's reconcile deletes as orphans
        OverlappedCalls.ContainerdCreate inContainerd = new OverlappedCalls.ContainerdCreate(containers, snapshots,
                id, image.name(), image.chainId(), validation.shimOptions(hc), spec,
                Map.of("io.pouch.container.name", name, "io.pouch.image", image.id()));
        OverlappedCalls.Step netRecord = null;
        try {
            // the network record is written (with its fsyncs) while the state dir, host files and metadata are
            String named = name;
            netRecord = new OverlappedCalls.Step("net-record-" + id.substring(0, 12),
                    () -> networking.register(id, named, mode, net));
            files.createDir(id); // marked as being created until the end: a crash leaves nothing boot keeps
            HostFiles.write(dir, hostname, mode, hc.extraHosts());
            volumes.attach(id, mountPlan); // undoes itself when it fails
            attached = true;
            ContainerMeta meta = new ContainerMeta(id, name, Times.now(), command.get(0),
                    List.copyOf(command.subList(1, command.size())), merged, hc, image.id(), cfg.image(),
                    image.chainId(), ContainerState.created(), 0);
            files.write(meta);
            netRecord.await();
            inContainerd.await();
            if (predicted == null) { // the next container on this image can have its start spec made here
                userFiles.remember(image.chainId(), inContainerd.mounts.lowers());
            }
            if (!quota.isEmpty()) {
                String quotaId = RootfsQuota.daemon().apply(quota, merged.quotaId(), inContainerd.mounts.upper(),
                        inContainerd.mounts.work());
                if (!java.util.Objects.equals(quotaId, merged.quotaId())) {
                    meta = new ContainerMeta(id, name, meta.created(), meta.path(), meta.args(),
                            merged.toBuilder().quotaId(quotaId).build(), hc, image.id(), cfg.image(), image.chainId(),
                            meta.state(), 0);
                    files.write(meta);
                }
            }
            Container c = new Container(meta);
            c.createdMounts = inContainerd.mounts; // the first start needs no Snapshots/Mounts call
            c.specInContainerd = Container.specDigest(spec);
            files.created(id);
            store.add(c);
            events.publish(c, "create");
            return new ContainerCreateResponse(id, specs.warnings(hc));
        } catch (RuntimeException | IOException e) {
            // nothing half-created: undo in reverse order, each step on its own
            inContainerd.awaitQuietly();
            if (inContainerd.recorded) {
                quietly(() -> containers.delete(id));
            }
            if (inContainerd.prepared) {
                quietly(() -> RootfsQuota.daemon().release(inContainerd.mounts.upper(), inContainerd.mounts.work()));
                quietly(() -> snapshots.remove(id));
            }
            if (attached) {
                quietly(() -> volumes.abort(id));
            }
            quietly(() -> FileTrees.delete(dir));
            if (netRecord != null) {
                netRecord.awaitQuietly();
            }
            quietly(() -> networking.forget(id));
            store.releaseName(name, id);
            if (e instanceof PouchException pe) {
                throw pe;
            }
            if (e instanceof ContainerdException ce) {
                throw ce.toPouch("cannot create container");
            }
            throw PouchException.internal("cannot create container: " + e.getMessage(), e);
        }
    }

    /**
     * The mount points a DiskQuota rule must not reach: every user mount but tmpfs (sized by its own option) and
     * volumes with their own size (Pouch leaves those to the volume's limit).
     */
    private List<String> quotaDestinations(List<PlannedMount> plan) {
        return plan.stream().filter(m -> !"tmpfs".equals(m.type()) && !(m.isVolume() && sized(m)))
                .map(PlannedMount::destination).toList();
    }

    private boolean sized(PlannedMount m) {
        if (m.driverOpts() != null && m.driverOpts().containsKey("size")) {
            return true;
        }
        try {
            Map<String, String> o = m.name() == null ? null : volumes.manager().inspect(m.name()).options();
            return o != null && o.containsKey("size");
        } catch (PouchException e) {
            return false;
        }
    }

    /**
     * {@code container:<name|id>} is kept as {@code container:<full id>}, as dockerd shows it. An unknown container
     * is kept as given: like an unknown network, the start fails, not the create (the docker CLI would take a 404
     * here for a missing image and try a pull).
     */
    private NetworkMode joinByFullId(NetworkMode mode) {
        String ref = mode.joinedContainer();
        if (ref == null) {
            return mode;
        }
        try {
            return NetworkMode.joining(store.find(ref).id);
        } catch (PouchException e) {
            return mode;
        }
    }

    /**
     * The user's hostname; else the host's for host networking, the joined container's for a
     * {@code container:} joiner, or the short id.
     */
    private String hostname(ContainerConfig cfg, NetworkMode mode, String id) {
        if (cfg.hostname() != null && !cfg.hostname().isEmpty()) {
            return cfg.hostname();
        }
        if (mode.isHost()) {
            return hostHostname();
        }
        String joined = joinedHostname(mode);
        return joined != null ? joined : id.substring(0, 12);
    }

    private String joinedHostname(NetworkMode mode) {
        String ref = mode.joinedContainer();
        Container x = ref == null ? null : store.byIdOrNull(ref);
        return x == null ? null : x.meta().config().hostname();
    }

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/etc/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
