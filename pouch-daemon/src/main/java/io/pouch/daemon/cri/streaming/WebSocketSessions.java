package io.pouch.daemon.cri.streaming;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts exec, attach and port-forward sessions on a connection that has just become a WebSocket. */
final class WebSocketSessions {
    static final int MAX_MESSAGE = 4 * 1024 * 1024;
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int ERROR = 3;
    private static final int RESIZE = 4;

    private WebSocketSessions() {
    }

    /** Channels 0-4 as kubelet lays them out: stdin, stdout, stderr, error (always), resize (always read). */
    static void remoteCommand(Channel ch, StreamRuntime runtime, StreamRequest request,
                              StreamRequest.StreamOptions options, RemoteCommandProtocol protocol) throws IOException {
        ReadGate readGate = new ReadGate(ch);
        WritabilityGate writeGate = new WritabilityGate();
        InboundPipe[] inbound = new InboundPipe[RESIZE + 1];
        inbound[STDIN] = options.stdin() ? new InboundPipe(readGate) : null;
        inbound[RESIZE] = new InboundPipe(readGate);
        install(ch, writeGate, new WebSocketChannels(inbound, protocol.halfClose(), () -> { }));
        FrameOutputStream stdout = options.stdout() ? WebSocketChannels.output(ch, writeGate, STDOUT) : null;
        FrameOutputStream stderr = options.stderr() ? WebSocketChannels.output(ch, writeGate, STDERR) : null;
        FrameOutputStream error = WebSocketChannels.output(ch, writeGate, ERROR);
        // an empty message on the lowest channel the client reads tells it the session is ready
        (stdout != null ? stdout : stderr != null ? stderr : error).writeEmpty();
        RemoteCommand.Streams streams = new RemoteCommand.Streams(inbound[STDIN], stdout, stderr, error,
                inbound[RESIZE]);
        new RemoteCommand(runtime, request, streams, protocol.jsonStatus(), () -> WebSocketChannels.close(ch)).start();
    }

    /**
     * Two channels per granted port, data (2i) and error (2i+1); the server first sends the port number, 16 bits
     * little-endian, on both. The session ends when every port's connection has ended.
     */
    static void portForward(Channel ch, StreamRuntime runtime, StreamRequest.PortForward request) throws IOException {
        ReadGate readGate = new ReadGate(ch);
        WritabilityGate writeGate = new WritabilityGate();
        List<Integer> ports = request.ports();
        InboundPipe[] inbound = new InboundPipe[ports.size() * 2];
        List<PortPump> pumps = new ArrayList<>();
        install(ch, writeGate, new WebSocketChannels(inbound, false, () -> pumps.forEach(PortPump::close)));
        AtomicInteger open = new AtomicInteger(ports.size());
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(i);
            inbound[2 * i] = new InboundPipe(readGate);
            FrameOutputStream data = WebSocketChannels.output(ch, writeGate, 2 * i);
            FrameOutputStream error = WebSocketChannels.output(ch, writeGate, 2 * i + 1);
            byte[] portBytes = {(byte) port, (byte) (port >>> 8)};
            data.write(portBytes);
            error.write(portBytes);
            pumps.add(new PortPump(runtime, request, port, inbound[2 * i], data, error, () -> {
                if (open.decrementAndGet() == 0) {
                    WebSocketChannels.close(ch);
                }
            }));
        }
        if (ports.isEmpty()) {
            WebSocketChannels.close(ch);
        }
        pumps.forEach(PortPump::start);
    }

    private static void install(Channel ch, WritabilityGate gate, WebSocketChannels handler) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(MAX_MESSAGE));
        p.addLast("ws-writability", gate);
        p.addLast("ws-channels", handler);
    }
}
