package io.pouch.daemon.cri;

import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.container.exec.ExecManager;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.cri.streaming.NetnsDialer;
import io.pouch.daemon.cri.streaming.StreamIo;
import io.pouch.daemon.cri.streaming.StreamRuntime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The streaming server's sessions on the engine: exec runs an engine exec wired to the client's streams, attach
 * subscribes to the container's main process I/O, port forward dials the port inside the pod's network namespace
 * (the pause process holds it) without any helper process.
 */
final class EngineStreams implements StreamRuntime {
    private static final Logger LOG = Logger.getLogger(EngineStreams.class.getName());

    private final ContainerService containers;
    private final ExecManager execs;

    EngineStreams(ContainerService containers, ExecManager execs) {
        this.containers = containers;
        this.execs = execs;
    }

    @Override
    public int exec(String containerId, List<String> cmd, boolean tty, StreamIo io) throws Exception {
        return execs.runInteractive(containerId, cmd, tty, io.stdin(), io.stdout(), io.stderr(),
                resize -> io.resizes().listen(size -> resize.accept(size.height(), size.width())));
    }

    @Override
    public void attach(String containerId, boolean tty, StreamIo io) throws Exception {
        ContainerIO cio = containers.ioForAttach(containerId);
        io.resizes().listen(size -> {
            try {
                containers.resize(containerId, size.height(), size.width());
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "cannot resize " + containerId, e);
            }
        });
        Thread feeder = null;
        try (ContainerIO.Subscription ignored = cio.attach(new ContainerIO.Subscriber() {
            @Override
            public void onOutput(int stream, byte[] data, int offset, int length) {
                OutputStream out = stream == 2 && io.stderr() != null ? io.stderr() : io.stdout();
                if (out == null) {
                    return;
                }
                try {
                    out.write(data, offset, length);
                    out.flush();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "an attached client went away", e);
                }
            }

            @Override
            public void onClose() {
            }
        })) {
            containers.attached(containerId);
            if (io.stdin() != null && cio.stdin() != null) {
                InputStream in = io.stdin();
                feeder = Thread.ofVirtual().start(() -> feed(in, cio, containerId, tty));
            }
            containers.exitRecorded(containerId, cio).get();
        } finally {
            if (feeder != null) {
                feeder.interrupt();
            }
        }
    }

    private void feed(InputStream in, ContainerIO cio, String containerId, boolean tty) {
        byte[] buf = new byte[32 * 1024];
        try {
            OutputStream out = cio.stdin();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            // stdin_once: the process reads EOF once this client's input ends. Both writers of the FIFO must go:
            // pouchd's own (closing the shared stream closes the FIFO only for stdin_once) and the shim's
            // (CloseIO). Not with a TTY, as kubelet and containerd: there the input's end is not the session's.
            if (cio.stdinOnce() && !tty) {
                out.close();
                containers.closeStdin(containerId);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "the input of an attach ended", e);
        }
    }

    @Override
    public SocketChannel openPort(String podSandboxId, int port) throws IOException {
        int pid = containers.brief(podSandboxId).state().pid();
        if (pid <= 0) {
            throw new IOException("pod sandbox " + podSandboxId + " is not running");
        }
        return NetnsDialer.connect(Path.of("/proc/" + pid + "/ns/net"), new InetSocketAddress("127.0.0.1", port));
    }
}
