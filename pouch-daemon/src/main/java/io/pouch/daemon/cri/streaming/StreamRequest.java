package io.pouch.daemon.cri.streaming;

import java.util.List;

/** A streaming session granted by a CRI call and waiting, under a token, for its client to connect. */
sealed interface StreamRequest {

    record Exec(String containerId, List<String> cmd, StreamOptions options) implements StreamRequest {
    }

    record Attach(String containerId, StreamOptions options) implements StreamRequest {
    }

    record PortForward(String podSandboxId, List<Integer> ports) implements StreamRequest {
    }

    /** Which streams an exec or attach client gets. With a TTY there is no stderr (one terminal output). */
    record StreamOptions(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        public StreamOptions {
            if (tty) {
                stderr = false;
            }
        }
    }
}
