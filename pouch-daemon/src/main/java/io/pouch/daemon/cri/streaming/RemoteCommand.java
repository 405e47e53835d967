package io.pouch.daemon.cri.streaming;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One exec or attach session once its streams are connected, whatever the transport: runs it on the runtime, then
 * ends the output streams, writes how it ended to the error stream, and closes the connection. Clients wait for end
 * of file on their output streams before they read the error stream, so the order matters.
 */
final class RemoteCommand {
    private static final Logger LOG = Logger.getLogger(RemoteCommand.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The connected streams; any but {@code error} may be null when the client did not ask for it. */
    record Streams(InboundPipe stdin, FrameOutputStream stdout, FrameOutputStream stderr, FrameOutputStream error,
                   InboundPipe resize) {
    }

    private final StreamRuntime runtime;
    private final StreamRequest request;
    private final Streams streams;
    private final boolean jsonStatus;
    private final Runnable closeConnection;

    RemoteCommand(StreamRuntime runtime, StreamRequest request, Streams streams, boolean jsonStatus,
                  Runnable closeConnection) {
        if (!(request instanceof StreamRequest.Exec) && !(request instanceof StreamRequest.Attach)) {
            throw new IllegalArgumentException("not a remote command: " + request);
        }
        this.runtime = runtime;
        this.request = request;
        this.streams = streams;
        this.jsonStatus = jsonStatus;
        this.closeConnection = closeConnection;
    }

    void start() {
        Thread.ofVirtual().name("cri-stream-" + containerId()).start(this::run);
    }

    private String containerId() {
        return request instanceof StreamRequest.Exec e ? e.containerId() : ((StreamRequest.Attach) request).containerId();
    }

    private void run() {
        TerminalResizes resizes = new TerminalResizes();
        if (streams.resize() != null) {
            Thread.ofVirtual().name("cri-stream-resize").start(() -> readResizes(streams.resize(), resizes));
        }
        ExitStatus.Status status;
        try {
            status = switch (request) {
                case StreamRequest.Exec e -> {
                    StreamIo io = new StreamIo(streams.stdin(), streams.stdout(), streams.stderr(), e.options().tty(),
                            resizes);
                    int code = runtime.exec(e.containerId(), e.cmd(), e.options().tty(), io);
                    yield code == 0 ? ExitStatus.success() : ExitStatus.nonZeroExit(e.cmd(), code);
                }
                case StreamRequest.Attach a -> {
                    StreamIo io = new StreamIo(streams.stdin(), streams.stdout(), streams.stderr(), a.options().tty(),
                            resizes);
                    runtime.attach(a.containerId(), a.options().tty(), io);
                    yield ExitStatus.success();
                }
                case StreamRequest.PortForward p -> throw new IllegalStateException("unreachable");
            };
        } catch (Exception e) {
            String what = request instanceof StreamRequest.Exec ? "error executing command in container: "
                    : "error attaching to container: ";
            String message = what + (e.getMessage() != null ? e.getMessage() : e.toString());
            LOG.log(Level.WARNING, message + " (" + containerId() + ")", e);
            status = ExitStatus.internalError(message);
        }
        finish(status);
    }

    private void finish(ExitStatus.Status status) {
        closeQuietly(streams.stdout());
        closeQuietly(streams.stderr());
        try {
            byte[] bytes = ExitStatus.encode(status, jsonStatus);
            if (bytes.length > 0) {
                streams.error().write(bytes);
            }
        } catch (IOException e) {
            LOG.fine(() -> "exit status not delivered, the client is gone: " + e.getMessage());
        }
        closeQuietly(streams.error());
        closeQuietly(streams.stdin());
        closeQuietly(streams.resize());
        closeConnection.run();
    }

    /** Sizes arrive as a sequence of JSON objects; a malformed one ends the resize stream (as in kubelet). */
    private static void readResizes(InputStream in, TerminalResizes resizes) {
        try (MappingIterator<TerminalSize> it = JSON.readerFor(TerminalSize.class).readValues(in)) {
            while (it.hasNextValue()) {
                resizes.deliver(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "resize stream ended: " + e.getMessage());
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException e) {
            // the connection is going away anyway
        }
    }
}
