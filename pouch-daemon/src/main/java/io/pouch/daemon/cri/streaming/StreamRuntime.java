package io.pouch.daemon.cri.streaming;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * What the streaming server asks of the engine once a client has connected to an exec, attach or port-forward URL.
 * Each call runs on its own virtual thread and may block for as long as the session lasts.
 */
public interface StreamRuntime {

    /**
     * Runs {@code cmd} in the container with the given streams and returns its exit code once the process has ended
     * and all its output has been written to {@code io}.
     */
    int exec(String containerId, List<String> cmd, boolean tty, StreamIo io) throws Exception;

    /** Connects {@code io} to the container's main process until that process ends or the client goes away. */
    void attach(String containerId, boolean tty, StreamIo io) throws Exception;

    /**
     * A blocking TCP connection to {@code port} inside the pod sandbox's network namespace. The server pumps the
     * client's bytes into it, its bytes back, and closes it when the forwarded connection ends.
     */
    SocketChannel openPort(String podSandboxId, int port) throws IOException;
}
