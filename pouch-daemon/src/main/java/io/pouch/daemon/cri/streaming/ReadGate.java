package io.pouch.daemon.cri.streaming;

import io.netty.channel.Channel;

/**
 * Stops reading a connection while any of its inbound pipes is full, and resumes when all have drained: a slow
 * consumer (a process not reading its stdin, a forwarded port not accepting) holds the client back instead of
 * growing the daemon's memory.
 */
final class ReadGate {
    private final Channel channel;
    private int full;

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    synchronized void pipeFull() {
        if (full++ == 0) {
            channel.config().setAutoRead(false);
        }
    }

    synchronized void pipeDrained() {
        if (--full == 0) {
            channel.config().setAutoRead(true);
        }
    }
}
