package io.pouch.daemon.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;

/** Exchanges on an embedded channel, for the tests of single handlers. */
final class Exchanges {
    static final ResponseHeaders HEADERS = ResponseHeaders.forVersion("9.9.9");

    private Exchanges() {
    }

    static Connection connection(Channel ch, Executor handlers) {
        return new Connection(ch, HEADERS, new WriteGate(), new ExchangeDispatcher(handlers), new HijackSwitch());
    }

    static HttpRequest request(HttpMethod method, String uri, String... headers) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().set(headers[i], headers[i + 1]);
        }
        return req;
    }

    static NettyExchange exchange(Connection conn, HttpRequest req, Handler handler, boolean streaming,
                                  InlineAttempt inline) {
        return new NettyExchange(conn, req, req.uri(), ApiVersion.CURRENT,
                new Router.Match(handler, Map.of(), streaming, inline));
    }

    /** Everything written to the channel so far, as the client reads it. */
    static String outbound(EmbeddedChannel ch) {
        StringBuilder s = new StringBuilder();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            if (m instanceof ByteBuf b) {
                s.append(b.toString(StandardCharsets.UTF_8));
                b.release();
            }
        }
        return s.toString();
    }

    static String content(FullHttpResponse resp) {
        try {
            return resp.content().toString(StandardCharsets.UTF_8);
        } finally {
            resp.release();
        }
    }
}
