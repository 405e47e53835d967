package io.pouch.daemon.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.devices.CdiRegistry;
import io.pouch.daemon.container.rich.DumbInitBinary;
import io.pouch.daemon.container.rich.RichSpec;
import io.pouch.daemon.container.devices.DeviceRule;
import io.pouch.daemon.container.devices.DeviceSpecs;
import io.pouch.daemon.container.devices.HostDevices;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A container's OCI runtime spec, as the bytes containerd stores: built by {@link OciSpecBuilder} from the merged
 * config and host config, with what this host allows ({@link HostFacts}, read once).
 */
final class RuntimeSpecs {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final OciSpecBuilder.Host host;
    private final CgroupFacts cgroups;
    private final DeviceSpecs devices;

    RuntimeSpecs(OciSpecBuilder.Host host) {
        this(host, CgroupFacts.read(CGROUP_ROOT), new DeviceSpecs(CdiRegistry.fromSystem()));
    }

    RuntimeSpecs(OciSpecBuilder.Host host, CgroupFacts cgroups, DeviceSpecs devices) {
        this.host = host;
        this.cgroups = cgroups;
        this.devices = devices;
    }

    /**
     * The spec for a container that is not started yet: it checks everything the spec depends on except the user,
     * which is resolved from the rootfs at start.
     */
    byte[] forCreate(String id, ContainerConfig cfg, HostConfig hc, List<Bind> binds, Path init, Path dir) {
        return encode(id, cfg, hc, binds, init, dir, UserSpec.ROOT, null, null);
    }

    /**
     * @param init      the host's init binary when {@code HostConfig.Init} is on ({@link #initBinaryFor}), else null
     * @param netnsPath the network namespace to join, or null for a fresh one (or the host's)
     * @param mounts    adds the user mounts (volumes, binds, tmpfs) to the built spec
     */
    byte[] forStart(String id, ContainerConfig cfg, HostConfig hc, Path init, Path dir, UserSpec user,
                    String netnsPath, Consumer<ObjectNode> mounts) {
        prepareCgroups(hc);
        return encode(id, cfg, hc, List.of(), init, dir, user, netnsPath, mounts);
    }

    /**
     * What {@link #forStart} will build from the same arguments, built at create (see {@link StartSpecPrediction}):
     * nothing is prepared on the host.
     */
    byte[] predictStart(String id, ContainerConfig cfg, HostConfig hc, Path init, Path dir, UserSpec user,
                        String netnsPath, Consumer<ObjectNode> mounts) {
        return encode(id, cfg, hc, List.of(), init, dir, user, netnsPath, mounts);
    }

    /** What the container's parent cgroups need before runc can apply {@code hc}: a real-time CPU budget. */
    void prepareCgroups(HostConfig hc) {
        if (hc.cpuRealtimeRuntime() > 0 && !cgroups.unified()) {
            RealtimeBudget.ensure(CGROUP_ROOT.resolve("cpu"), CgroupPaths.parent(hc), hc.cpuRealtimeRuntime());
        }
    }

    /** The {@code linux.resources} part of the spec for {@code hc}. */
    ObjectNode resources(HostConfig hc) {
        return resources(hc, devices.rules(hc));
    }

    /** Docker's warnings for {@code hc} (settings applied that may surprise). */
    List<String> warnings(HostConfig hc) {
        return OciResources.warnings(hc);
    }

    private ObjectNode resources(HostConfig hc, List<DeviceRule> deviceRules) {
        ObjectNode r = OciResources.of(hc, hc.privileged(), host, cgroups, HostDevices::block);
        DeviceSpecs.addRules(r, deviceRules);
        if (cgroups.unified()) {
            CgroupV2Files.of(r); // refuses what cgroup v2 has no file for
        }
        return r;
    }

    private byte[] encode(String id, ContainerConfig cfg, HostConfig hc, List<Bind> binds, Path init, Path dir,
                          UserSpec user, String netnsPath, Consumer<ObjectNode> mounts) {
        List<String> command = new ArrayList<>();
        if (cfg.entrypoint() != null) {
            command.addAll(cfg.entrypoint());
        }
        if (cfg.cmd() != null) {
            command.addAll(cfg.cmd());
        }
        if (cfg.stopSignal() != null && !cfg.stopSignal().isEmpty()) {
            Signals.parse(cfg.stopSignal());
        }
        List<String> env = OciSpecBuilder.env(cfg.hostname(), cfg.env(), null, cfg.tty());
        OciSpecBuilder.Input in = new OciSpecBuilder.Input(id, cfg.hostname(), cfg.domainname(), command, env,
                cfg.workingDir(), user, cfg.tty(), hc, binds, dir.resolve("hostname"), dir.resolve("hosts"),
                dir.resolve("resolv.conf"), init);
        try {
            // the resources with this host's cgroup controls (checked first: their refusals name what this host
            // lacks), the cgroup parent and the devices replace the builder's host-independent ones
            ObjectNode resources = resources(hc, List.of());
            DeviceSpecs.Plan plan = devices.plan(hc);
            ObjectNode spec = OciSpecBuilder.build(in, host);
            ObjectNode linux = spec.withObject("/linux");
            linux.put("cgroupsPath", CgroupPaths.of(hc, id));
            linux.set("resources", resources);
            DeviceSpecs.apply(spec, plan);
            PouchSpecFields.apply(spec, cfg, hc, dir, PouchHostFeatures.system());
            if (netnsPath != null) {
                OciSpecBuilder.setNetworkNamespacePath(spec, netnsPath);
            }
            if (mounts != null) {
                mounts.accept(spec);
                OciSpecBuilder.setRootfsPropagation(spec);
                if (hc.privileged()) { // at start only: the nodes the host has then
                    DeviceSpecs.addNodes(spec, HostDevices.all());
                }
            }
            RichSpec.apply(spec, cfg, cgroups.unified(), () -> DumbInitBinary.prepare(dir.getParent().resolveSibling("rich")));
            return Json.MAPPER.writeValueAsBytes(spec);
        } catch (JsonProcessingException e) {
            throw PouchException.internal("cannot encode the runtime spec", e);
        }
    }

    /** The init binary {@code hc} asks for ({@code HostConfig.Init}), or null. */
    static Path initBinaryFor(HostConfig hc) {
        return Boolean.TRUE.equals(hc.init()) ? initBinary() : null;
    }

    /** The host's tini, statically linked first: it runs inside images that have no libc of their own. */
    private static Path initBinary() {
        for (String p : List.of("/usr/bin/docker-init", "/usr/bin/tini-static", "/usr/local/bin/docker-init",
                "/usr/local/bin/tini-static", "/usr/bin/tini", "/usr/local/bin/tini")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        throw PouchException.invalidArgument("--init needs docker-init (tini) on the host, and none was found in"
                + " /usr/bin or /usr/local/bin: install it (apt-get install tini) and try again");
    }
}
