package io.pouch.daemon.cri.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import io.pouch.api.PouchException;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.PodSandboxConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the CRI keeps beside the engine's containers: the config kubelet gave for each sandbox and container (as
 * kubelet sent it, so status answers return exactly its metadata, labels and annotations) and a sandbox's network
 * state. One directory per object under {@code <home>/cri}; files are replaced atomically.
 */
final class CriRecords {
    /** Read on every status and list call, so kept in memory too; the files are what survives a restart. */
    private final Map<String, PodSandboxConfig> sandboxConfigs = new ConcurrentHashMap<>();
    private final Map<String, ContainerConfig> containerConfigs = new ConcurrentHashMap<>();
    private final Map<String, SandboxNetwork> networks = new ConcurrentHashMap<>();
    private final Path sandboxes;
    private final Path containers;

    CriRecords(Path root) {
        this.sandboxes = root.resolve("sandboxes");
        this.containers = root.resolve("containers");
        try {
            Files.createDirectories(sandboxes);
            Files.createDirectories(containers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void saveSandbox(String id, PodSandboxConfig config) {
        write(sandboxes.resolve(id).resolve("config.pb"), config.toByteArray());
        sandboxConfigs.put(id, config);
    }

    /** null when the sandbox is not a CRI one (or its record is gone). */
    PodSandboxConfig sandboxConfig(String id) {
        PodSandboxConfig cached = sandboxConfigs.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] b = read(sandboxes.resolve(id).resolve("config.pb"));
        if (b == null) {
            return null;
        }
        try {
            PodSandboxConfig c = PodSandboxConfig.parseFrom(b);
            sandboxConfigs.put(id, c);
            return c;
        } catch (InvalidProtocolBufferException e) {
            throw PouchException.internal("the record of sandbox " + id + " is damaged: " + e.getMessage(), e);
        }
    }

    void saveNetwork(String id, SandboxNetwork network) {
        write(sandboxes.resolve(id).resolve("network.json"), network.toJson());
        networks.put(id, network);
    }

    SandboxNetwork network(String id) {
        SandboxNetwork cached = networks.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] b = read(sandboxes.resolve(id).resolve("network.json"));
        if (b == null) {
            return SandboxNetwork.NONE;
        }
        SandboxNetwork n = SandboxNetwork.fromJson(b);
        networks.put(id, n);
        return n;
    }

    void saveContainer(String id, ContainerConfig config) {
        write(containers.resolve(id).resolve("config.pb"), config.toByteArray());
        containerConfigs.put(id, config);
    }

    ContainerConfig containerConfig(String id) {
        ContainerConfig cached = containerConfigs.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] b = read(containers.resolve(id).resolve("config.pb"));
        if (b == null) {
            return null;
        }
        try {
            ContainerConfig c = ContainerConfig.parseFrom(b);
            containerConfigs.put(id, c);
            return c;
        } catch (InvalidProtocolBufferException e) {
            throw PouchException.internal("the record of container " + id + " is damaged: " + e.getMessage(), e);
        }
    }

    void forgetSandbox(String id) {
        sandboxConfigs.remove(id);
        networks.remove(id);
        delete(sandboxes.resolve(id));
    }

    void forgetContainer(String id) {
        containerConfigs.remove(id);
        delete(containers.resolve(id));
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw PouchException.internal("cannot record " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw PouchException.internal("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw PouchException.internal("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
