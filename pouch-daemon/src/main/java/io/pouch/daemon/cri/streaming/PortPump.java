package io.pouch.daemon.cri.streaming;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;

/**
 * One forwarded connection: opens the pod's port through the runtime and copies bytes both ways between it and the
 * client's data stream. The client's half-close shuts the port's write side; the port's end of file ends the data
 * stream. A failure is reported on the error stream in kubelet's words.
 */
final class PortPump implements Closeable {
    private static final Logger LOG = Logger.getLogger(PortPump.class.getName());

    private final StreamRuntime runtime;
    private final StreamRequest.PortForward request;
    private final int port;
    private final InboundPipe fromClient;
    private final FrameOutputStream toClient;
    private final FrameOutputStream errors;
    private final Runnable onDone;
    private volatile SocketChannel socket;
    private volatile boolean closed;

    PortPump(StreamRuntime runtime, StreamRequest.PortForward request, int port, InboundPipe fromClient,
             FrameOutputStream toClient, FrameOutputStream errors, Runnable onDone) {
        this.runtime = runtime;
        this.request = request;
        this.port = port;
        this.fromClient = fromClient;
        this.toClient = toClient;
        this.errors = errors;
        this.onDone = onDone;
    }

    void start() {
        Thread.ofVirtual().name("cri-portforward-" + port).start(this::run);
    }

    private void run() {
        try {
            List<Integer> granted = request.ports();
            if (!granted.isEmpty() && !granted.contains(port)) {
                throw new IOException("port " + port + " was not requested for this session (granted: " + granted + ")");
            }
            SocketChannel sc = runtime.openPort(request.podSandboxId(), port);
            socket = sc;
            if (closed) {
                sc.close();
                return;
            }
            Thread.ofVirtual().name("cri-portforward-in-" + port).start(() -> clientToPort(sc));
            portToClient(sc);
        } catch (Exception e) {
            if (closed) {
                return;
            }
            String msg = "error forwarding port " + port + " to pod " + request.podSandboxId() + ", uid : "
                    + (e.getMessage() != null ? e.getMessage() : e.toString());
            LOG.fine(msg);
            try {
                errors.write(msg.getBytes(StandardCharsets.UTF_8));
            } catch (IOException gone) {
                // the client went away: nobody to tell
            }
        } finally {
            close();
            onDone.run();
        }
    }

    private void clientToPort(SocketChannel sc) {
        byte[] buf = new byte[FrameOutputStream.MAX_CHUNK];
        try {
            int n;
            while ((n = fromClient.read(buf, 0, buf.length)) >= 0) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    sc.write(bb);
                }
            }
            sc.shutdownOutput();
        } catch (IOException e) {
            if (!closed) {
                LOG.fine(() -> "port " + port + ": client to port copy ended: " + e.getMessage());
                closeQuietly(sc);
            }
        }
    }

    private void portToClient(SocketChannel sc) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(FrameOutputStream.MAX_CHUNK);
        while (sc.read(bb) >= 0) {
            bb.flip();
            toClient.write(bb.array(), 0, bb.limit());
            bb.clear();
        }
    }

    /** Ends the forwarded connection (also from the connection's side when the client goes away). */
    @Override
    public void close() {
        closed = true;
        SocketChannel sc = socket;
        if (sc != null) {
            closeQuietly(sc);
        }
        fromClient.close();
        toClient.close();
        errors.close();
    }

    private static void closeQuietly(SocketChannel sc) {
        try {
            sc.close();
        } catch (IOException e) {
            // already broken
        }
    }
}
