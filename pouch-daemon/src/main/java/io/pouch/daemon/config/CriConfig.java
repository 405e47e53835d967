package io.pouch.daemon.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The Kubernetes CRI server's settings (Pouch's flag names, the same keys in config.json).
 *
 * @param enabled       {@code enable-cri}: serve the CRI at all (default true)
 * @param listen        {@code listen-cri}: unix:///path of the gRPC socket kubelet dials
 * @param sandboxImage  {@code sandbox-image}: the pause image every pod sandbox runs
 * @param cniConfDir    {@code cni-conf-dir}: where pod network configs are read from
 * @param cniBinDirs    {@code cni-bin-dir}: where CNI plugins are looked up (repeatable)
 * @param streamServer  {@code stream-server-address} and {@code stream-server-port}: the exec/attach/port-forward
 *                      server kubelet redirects clients to (loopback by default)
 */
public record CriConfig(boolean enabled, String listen, String sandboxImage, Path cniConfDir, List<Path> cniBinDirs,
                        InetSocketAddress streamServer) {
    public static final String DEFAULT_LISTEN = "unix:///var/run/pouchcri.sock";
    /** The image the install builds from the project's own static pause; loaded, never pulled, when missing. */
    public static final String DEFAULT_SANDBOX_IMAGE = "registry.k8s.io/pause:3.9";
    public static final int DEFAULT_STREAM_PORT = 10010;

    /** The socket path of {@link #listen}. */
    public Path socketPath() {
        return Path.of(listen.substring("unix://".length()));
    }
}
