package io.pouch.daemon.cri.streaming;

import io.netty.channel.Channel;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Port forwarding over SPDY: the client opens a pair of streams (data and error, tied by the {@code requestID}
 * header) for each connection it forwards, naming the port in the {@code port} header; each complete pair becomes
 * a {@link PortPump}. One SPDY connection carries any number of them.
 */
final class SpdyPortForward implements SpdyConnection.Listener {
    private static final Logger LOG = Logger.getLogger(SpdyPortForward.class.getName());
    private static final Duration PAIR_TIMEOUT = SpdyRemoteCommand.STREAM_CREATION_TIMEOUT;

    private static final class Pair {
        SpdyStream data;
        SpdyStream error;
    }

    private final StreamRuntime runtime;
    private final StreamRequest.PortForward request;
    private final Channel channel;
    private final Map<String, Pair> pending = new HashMap<>();
    private final Set<PortPump> running = new HashSet<>();

    SpdyPortForward(StreamRuntime runtime, StreamRequest.PortForward request, Channel channel) {
        this.runtime = runtime;
        this.request = request;
        this.channel = channel;
    }

    @Override
    public String onStream(SpdyStream stream) {
        String portText = stream.header("port");
        if (portText == null || portText.isEmpty()) {
            return "\"port\" header is required";
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            return "unable to parse \"" + portText + "\" as a port";
        }
        if (port < 1 || port > 65535) {
            return "port \"" + portText + "\" must be between 1 and 65535";
        }
        String type = stream.header("streamtype");
        if (!"data".equals(type) && !"error".equals(type)) {
            return type == null ? "\"streamType\" header is required" : "invalid stream type \"" + type + "\"";
        }
        String requestId = requestId(stream, type);
        Pair pair = pending.get(requestId);
        if (pair == null) {
            Pair fresh = new Pair();
            pending.put(requestId, fresh);
            pair = fresh;
            channel.eventLoop().schedule(() -> expire(requestId, fresh), PAIR_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if ("data".equals(type) ? pair.data != null : pair.error != null) {
            return type + " stream already assigned for request " + requestId;
        }
        if ("data".equals(type)) {
            pair.data = stream;
        } else {
            pair.error = stream;
        }
        if (pair.data != null && pair.error != null) {
            pending.remove(requestId);
            start(pair, port);
        }
        return null;
    }

    /**
     * Clients older than the requestID header open a pair as consecutive streams, error first: the error stream's
     * id names the pair (kubelet's best effort for them, which holds while they open one connection at a time).
     */
    private static String requestId(SpdyStream stream, String type) {
        String id = stream.header("requestid");
        if (id != null && !id.isEmpty()) {
            return id;
        }
        return Integer.toString("error".equals(type) ? stream.id() : stream.id() - 2);
    }

    private void start(Pair pair, int port) {
        PortPump[] self = new PortPump[1];
        PortPump pump = new PortPump(runtime, request, port, pair.data.in(), pair.data.out(), pair.error.out(),
                () -> channel.eventLoop().execute(() -> running.remove(self[0])));
        self[0] = pump;
        running.add(pump);
        pump.start();
    }

    private void expire(String requestId, Pair pair) {
        if (pending.remove(requestId, pair)) {
            LOG.fine(() -> "port forward request " + requestId + ": timed out waiting for streams");
            // only closed, not explained: writing a message could block, and this runs on the event loop
            if (pair.error != null) {
                pair.error.out().close();
            }
            if (pair.data != null) {
                pair.data.out().close();
            }
        }
    }

    @Override
    public void onClose() {
        List.copyOf(running).forEach(PortPump::close);
        running.clear();
        pending.clear();
    }
}
