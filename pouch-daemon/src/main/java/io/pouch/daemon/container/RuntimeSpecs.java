package io.pouch.daemon.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;

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
    private final OciSpecBuilder.Host host;

    RuntimeSpecs(OciSpecBuilder.Host host) {
        this.host = host;
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
        return encode(id, cfg, hc, List.of(), init, dir, user, netnsPath, mounts);
    }

    /** The {@code linux.resources} part of the spec for {@code hc}. */
    ObjectNode resources(HostConfig hc) {
        return OciResources.of(hc, hc.privileged(), host);
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
            ObjectNode spec = OciSpecBuilder.build(in, host);
            if (netnsPath != null) {
                OciSpecBuilder.setNetworkNamespacePath(spec, netnsPath);
            }
            if (mounts != null) {
                mounts.accept(spec);
                if (hc.privileged()) { // at start only: the nodes the host has then
                    HostDevices.addTo(spec, HostDevices.list());
                }
            }
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
