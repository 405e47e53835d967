package io.pouch.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection the daemon took over after {@code 101 UPGRADED} (attach, exec start): raw bytes both ways. For a
 * container without a TTY the input is stdcopy-framed (see {@link StdCopy}). {@link #closeWrite()} half-closes:
 * the daemon sees stdin's EOF while its output keeps flowing to {@link #input()}.
 */
public final class HijackedConnection implements AutoCloseable {
    private final Channel channel;
    private final ChannelBody input;
    private final String contentType;
    private final OutputStream output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            // Waiting for each write keeps at most one buffer in flight: stdin needs no more.
            var future = channel.writeAndFlush(Unpooled.copiedBuffer(b, off, len)).awaitUninterruptibly();
            if (!future.isSuccess()) {
                throw new IOException("write to the daemon failed: " + future.cause().getMessage(), future.cause());
            }
        }

        @Override
        public void close() {
            closeWrite();
        }
    };

    HijackedConnection(Channel channel, ChannelBody input, String contentType) {
        this.channel = channel;
        this.input = input;
        this.contentType = contentType;
    }

    /** What the daemon reads: the container's stdin. */
    public OutputStream output() {
        return output;
    }

    /** What the daemon writes: the container's output (stdcopy frames unless the container has a TTY). */
    public InputStream input() {
        return input;
    }

    /** {@code application/vnd.docker.raw-stream} or {@code application/vnd.docker.multiplexed-stream}. */
    public String contentType() {
        return contentType;
    }

    /** Half-close: signals end of stdin and keeps reading the output. */
    public void closeWrite() {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) { // over TLS the end of stdin is a close_notify; the daemon keeps writing the output
            if (channel.isActive()) {
                tls.closeOutbound().awaitUninterruptibly();
            }
            return;
        }
        if (channel instanceof DuplexChannel duplex && channel.isActive() && !duplex.isOutputShutdown()) {
            duplex.shutdownOutput().awaitUninterruptibly();
        }
    }

    @Override
    public void close() {
        input.close();
    }
}
