package io.pouch.daemon.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * pouchd's settings after flags and {@code /etc/pouch/config.json} are merged. Keys in the file use Pouch's
 * names, given first for each component. Every path is configurable so tests can run a private daemon beside a real
 * one.
 *
 * @param homeDir          {@code home-dir}: metadata, logs, volumes, supervised containerd's root
 * @param execRoot         {@code exec-root}: FIFOs, netns, pid files, supervised containerd's socket and state
 * @param listen           {@code listen}: unix:///path or tcp://host:port (TCP only with TLS)
 * @param containerd       {@code containerd}: address of an existing containerd; null = start and supervise our own
 * @param containerdBinary {@code containerd-path}: the binary pouchd starts when it supervises containerd
 * @param namespace        {@code default-namespace}: containerd namespace, "pouch"
 * @param defaultRuntime   {@code default-runtime}: "runc" or "crun"
 * @param bridgeName       {@code bridge-name}: the default bridge device, "p0"
 * @param bip              {@code bip}: the default bridge's address and prefix, "192.168.5.1/24" (Pouch's default)
 */
public record DaemonConfig(
        Path homeDir,
        Path execRoot,
        List<String> listen,
        String containerd,
        String containerdBinary,
        String namespace,
        boolean debug,
        String logDriver,
        Map<String, String> logOpts,
        String defaultRuntime,
        String bridgeName,
        String pidFile,
        String bip) {

    public static final String DEFAULT_BIP = "192.168.5.1/24";

    /** The form before {@code bip} existed: the default bridge gets Pouch's default address. */
    public DaemonConfig(Path homeDir, Path execRoot, List<String> listen, String containerd, String containerdBinary,
                        String namespace, boolean debug, String logDriver, Map<String, String> logOpts,
                        String defaultRuntime, String bridgeName, String pidFile) {
        this(homeDir, execRoot, listen, containerd, containerdBinary, namespace, debug, logDriver, logOpts,
                defaultRuntime, bridgeName, pidFile, DEFAULT_BIP);
    }

    /** Networks, address leases and endpoints. */
    public Path networksDir() {
        return homeDir.resolve("network");
    }

    public Path containersDir() {
        return homeDir.resolve("containers");
    }

    public Path imagesDir() {
        return homeDir.resolve("image");
    }

    public Path volumesDir() {
        return homeDir.resolve("volume");
    }

    public Path containerdRoot() {
        return homeDir.resolve("containerd/root");
    }

    public Path containerdState() {
        return execRoot.resolve("containerd/state");
    }

    /** The socket of the supervised containerd, or the configured one. */
    public String containerdAddress() {
        return containerd != null ? containerd : execRoot.resolve("containerd/containerd.sock").toString();
    }

    public boolean supervisesContainerd() {
        return containerd == null;
    }
}
