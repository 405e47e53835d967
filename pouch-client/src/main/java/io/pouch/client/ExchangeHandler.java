package io.pouch.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Receives one HTTP answer: completes {@link #head} with the status line and headers, and feeds the body bytes to
 * a {@link ChannelBody}. After a {@code 101} the HTTP codec is taken out of the pipeline and the connection
 * carries raw bytes both ways (attach, exec start).
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
    private final ChannelBody body;
    private boolean upgraded;

    ExchangeHandler(ChannelBody body) {
        this.body = body;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse response) {
                if (response.status().code() == 101) {
                    upgraded = true;
                }
                head.complete(response);
            }
            if (msg instanceof HttpContent content) {
                ByteBuf buf = content.content();
                if (buf.isReadable()) {
                    body.offer(buf.retain());
                }
                if (msg instanceof LastHttpContent) {
                    if (upgraded) {
                        // The 101 has no body; what follows is the raw stream, so the codec must step aside.
                        if (ctx.pipeline().get(HttpClientCodec.class) != null) {
                            ctx.pipeline().remove(HttpClientCodec.class);
                        }
                    } else {
                        body.offer(ChannelBody.END);
                    }
                }
            } else if (msg instanceof ByteBuf raw) {
                body.offer(raw.retain());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        head.completeExceptionally(new IOException("the daemon closed the connection before answering"));
        body.offer(ChannelBody.END);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        head.completeExceptionally(cause);
        body.offer(cause);
        ctx.close();
    }
}
