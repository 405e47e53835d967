package io.pouch.daemon.cri.streaming;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Collects the streams of an exec or attach client over SPDY (one per {@code streamType} header: error, stdin,
 * stdout, stderr, resize) and starts the command once all the granted ones are there.
 */
final class SpdyRemoteCommand implements SpdyConnection.Listener {
    private static final Logger LOG = Logger.getLogger(SpdyRemoteCommand.class.getName());
    static final Duration STREAM_CREATION_TIMEOUT = Duration.ofSeconds(30);

    private final StreamRuntime runtime;
    private final StreamRequest request;
    private final StreamRequest.StreamOptions options;
    private final RemoteCommandProtocol protocol;
    private final Channel channel;
    private final int expected;
    private int received;
    private SpdyStream error;
    private SpdyStream stdin;
    private SpdyStream stdout;
    private SpdyStream stderr;
    private SpdyStream resize;
    private boolean started;
    private ScheduledFuture<?> deadline;

    SpdyRemoteCommand(StreamRuntime runtime, StreamRequest request, StreamRequest.StreamOptions options,
                      RemoteCommandProtocol protocol, Channel channel) {
        this.runtime = runtime;
        this.request = request;
        this.options = options;
        this.protocol = protocol;
        this.channel = channel;
        int n = 1;
        n += options.stdin() ? 1 : 0;
        n += options.stdout() ? 1 : 0;
        n += options.stderr() ? 1 : 0;
        n += options.tty() && protocol.resizes() ? 1 : 0;
        this.expected = n;
        this.deadline = channel.eventLoop().schedule(() -> {
            if (!started) {
                LOG.warning("streaming client did not open its streams within " + STREAM_CREATION_TIMEOUT
                        + " (got " + received + " of " + expected + "): closing");
                channel.close();
            }
        }, STREAM_CREATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String onStream(SpdyStream stream) {
        String type = stream.header("streamtype");
        if (type == null) {
            return "missing streamType header";
        }
        boolean counted = switch (type) {
            case "error" -> error == null && (error = stream) != null;
            case "stdin" -> options.stdin() && stdin == null && (stdin = stream) != null;
            case "stdout" -> options.stdout() && stdout == null && (stdout = stream) != null;
            case "stderr" -> options.stderr() && stderr == null && (stderr = stream) != null;
            case "resize" -> options.tty() && protocol.resizes() && resize == null && (resize = stream) != null;
            default -> false;
        };
        if (!counted) {
            LOG.fine(() -> "unexpected or duplicate stream type " + type + ": not used");
            return null;
        }
        if (++received == expected && !started) {
            started = true;
            deadline.cancel(false);
            RemoteCommand.Streams streams = new RemoteCommand.Streams(
                    stdin == null ? null : stdin.in(),
                    stdout == null ? null : stdout.out(),
                    stderr == null ? null : stderr.out(),
                    error.out(),
                    resize == null ? null : resize.in());
            new RemoteCommand(runtime, request, streams, protocol.jsonStatus(),
                    () -> SpdyConnection.goAwayAndClose(channel)).start();
        }
        return null;
    }

    @Override
    public void onClose() {
        deadline.cancel(false);
    }
}
