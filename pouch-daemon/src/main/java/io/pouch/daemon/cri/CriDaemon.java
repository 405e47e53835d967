package io.pouch.daemon.cri;

import io.pouch.daemon.config.CriConfig;
import io.pouch.daemon.config.DaemonConfig;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.exec.ExecManager;
import io.pouch.daemon.cri.cni.CniNetwork;
import io.pouch.daemon.cri.grpc.CriServer;
import io.pouch.daemon.cri.image.CriImageService;
import io.pouch.daemon.cri.image.ImageFsUsage;
import io.pouch.daemon.cri.image.ImagePulls;
import io.pouch.daemon.cri.runtime.CriProcesses;
import io.pouch.daemon.cri.runtime.CriRuntimeService;
import io.pouch.daemon.cri.runtime.StreamUrls;
import io.pouch.daemon.cri.streaming.StreamingServer;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ImageManager;
import io.pouch.daemon.image.PullService;
import io.pouch.api.PouchException;
import io.pouch.cri.v1.AttachRequest;
import io.pouch.cri.v1.ExecRequest;
import io.pouch.cri.v1.PortForwardRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Starts the Kubernetes CRI: its gRPC server (RuntimeService and ImageService), the streaming server kubelet
 * redirects exec, attach and port-forward clients to, and pod networking through CNI. Pods and their containers
 * are containers of the engine's own managers. A CRI that cannot start (socket or port taken) stops the daemon
 * with the reason: a node whose kubelet cannot reach its runtime must not look healthy.
 */
public final class CriDaemon {
    private static final Logger LOG = Logger.getLogger(CriDaemon.class.getName());

    private CriDaemon() {
    }

    public static AutoCloseable start(CriConfig cri, DaemonConfig cfg, String version, ContainerManager containers,
                                      ImageManager images, PullService puller, ExecManager execs, EventBus events)
            throws IOException, InterruptedException {
        Path root = cfg.homeDir().resolve("cri");
        CniNetwork cni = CniNetwork.load(cri.cniConfDir(), cri.cniBinDirs(), root.resolve("cni-cache"));
        StreamingServer streaming = new StreamingServer(cri.streamServer(), new EngineStreams(containers, execs));
        try {
            streaming.start();
        } catch (RuntimeException e) {
            throw PouchException.invalidArgument("cannot serve CRI streaming on " + cri.streamServer() + ": "
                    + e.getMessage() + " (--stream-server-address, --stream-server-port)");
        }
        ImagePulls pulls = ImagePulls.over(puller);
        Path pauseTar = Path.of(System.getProperty("pouch.lib", "/usr/local/lib/pouch"), "images", "pause.tar");
        EmbeddedSandboxImage sandboxImages = new EmbeddedSandboxImage(images, pauseTar, ref -> {
            try {
                pulls.pull(ref, null);
            } catch (IOException e) {
                throw PouchException.internal("cannot pull the sandbox image " + ref + ": " + e.getMessage(), e);
            }
        });
        CriRuntimeService runtime = new CriRuntimeService(version, containers, events, root,
                new CniPodNetworking(cni), sandboxImages, cri.sandboxImage(), processes(containers, execs),
                urls(streaming));
        CriImageService imageService = new CriImageService(images, images, pulls,
                ImageFsUsage.ofContainerdRoot(cfg.containerdRoot()));
        CriServer server = new CriServer(cri.socketPath(), List.of(runtime, imageService));
        try {
            server.start();
        } catch (IOException e) {
            streaming.close();
            throw PouchException.invalidArgument("cannot serve the CRI on " + cri.listen() + ": " + e.getMessage()
                    + " (--listen-cri, or --enable-cri=false)");
        }
        LOG.info("CRI serving " + cri.listen() + ", streaming on " + streaming.address() + ", CNI config from "
                + cri.cniConfDir());
        return () -> {
            server.close();
            streaming.close();
        };
    }

    private static CriProcesses processes(ContainerManager containers, ExecManager execs) {
        return new CriProcesses() {
            @Override
            public Integer execSync(String containerId, List<String> cmd, OutputStream stdout, OutputStream stderr,
                                    Duration timeout) throws InterruptedException {
                return execs.runHidden(containerId, cmd, stdout, stderr, timeout);
            }

            @Override
            public void reopenLog(String containerId) {
                containers.criLogs().reopen(containerId);
            }
        };
    }

    private static StreamUrls urls(StreamingServer s) {
        return new StreamUrls() {
            @Override
            public String exec(ExecRequest r) {
                return url(() -> s.execUrl(r.getContainerId(), r.getCmdList(), r.getTty(), r.getStdin(),
                        r.getStdout(), r.getStderr()));
            }

            @Override
            public String attach(AttachRequest r) {
                return url(() -> s.attachUrl(r.getContainerId(), r.getTty(), r.getStdin(), r.getStdout(),
                        r.getStderr()));
            }

            @Override
            public String portForward(PortForwardRequest r) {
                return url(() -> s.portForwardUrl(r.getPodSandboxId(), r.getPortList()));
            }
        };
    }

    /** The streaming server refuses what kubelet's refuses (400) and too many unclaimed sessions (503). */
    private static String url(java.util.function.Supplier<String> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw PouchException.invalidArgument(e.getMessage());
        } catch (IllegalStateException e) {
            throw new PouchException(503, e.getMessage());
        }
    }
}
