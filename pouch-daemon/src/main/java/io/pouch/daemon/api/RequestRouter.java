package io.pouch.daemon.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.pouch.api.PouchException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Turns each request head into a {@link NettyExchange} bound to its route and passes it on; the body's contents
 * follow unchanged. A request the router cannot serve still becomes an exchange, one whose handler throws the
 * answer (404, 405, or the 400 of a bad path or API version). A head the HTTP decoder could not parse is answered
 * here (400; 414 for a request line, 431 for headers over {@link ApiPipeline#MAX_HEAD}) and the connection closes.
 *
 * <p>While the daemon boots ({@link Router#holds}) a request for a route not served yet is held here with whatever
 * followed it, and goes on once the router opens. Nothing more is read meanwhile: auto-read is off and only the
 * exchange's body handler asks for more.
 */
final class RequestRouter extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(RequestRouter.class.getName());
    private final Router router;
    private final Connection connection;
    /** Messages held until the router opens, in arrival order; null when nothing is held. */
    private Deque<Object> waiting;

    RequestRouter(Router router, Connection connection) {
        this.router = router;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting != null) {
            waiting.addLast(msg);
            return;
        }
        if (msg instanceof HttpRequest req && !req.decoderResult().isFailure() && heldUntilOpen(req)) {
            waiting = new ArrayDeque<>();
            waiting.addLast(msg);
            router.whenOpen(() -> ctx.executor().execute(() -> release(ctx)));
            return;
        }
        route(ctx, msg);
    }

    private boolean heldUntilOpen(HttpRequest req) {
        if (router.isOpen()) {
            return false; // the usual case: no second parse of the target on the request path
        }
        try {
            return router.holds(req.method().name(), RequestTarget.parse(req.uri()).segments());
        } catch (RuntimeException e) {
            return false; // a bad target is answered at once
        }
    }

    private void release(ChannelHandlerContext ctx) {
        Deque<Object> q = waiting;
        waiting = null;
        if (q == null) {
            return; // the connection closed meanwhile
        }
        while (!q.isEmpty()) {
            channelRead(ctx, q.removeFirst());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Deque<Object> q = waiting;
        waiting = null;
        if (q != null) {
            q.forEach(ReferenceCountUtil::release);
        }
        ctx.fireChannelInactive();
    }

    private void route(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest req)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            HttpResponseStatus status = HttpResponseStatus.BAD_REQUEST;
            String message = "malformed HTTP request: " + cause.getMessage();
            if (cause instanceof TooLongHttpLineException) {
                status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
                message = "request line too long: the limit is " + (ApiPipeline.MAX_HEAD >> 10) + " KiB";
            } else if (cause instanceof TooLongHttpHeaderException) {
                status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
                message = "request headers too large: the limit is " + (ApiPipeline.MAX_HEAD >> 10) + " KiB";
            }
            LOG.info("refused a request: " + status.code() + " " + message);
            ReferenceCountUtil.release(msg);
            ctx.writeAndFlush(ErrorResponses.closing(ctx.alloc(), connection.headers(), status, message))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(exchange(req));
        if (msg instanceof HttpContent) {
            ctx.fireChannelRead(msg); // a request that carries its body: the body goes on as content
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private NettyExchange exchange(HttpRequest req) {
        String method = req.method().name();
        RequestTarget target;
        try {
            target = RequestTarget.parse(req.uri());
        } catch (RuntimeException e) {
            return new NettyExchange(connection, req, req.uri(), ApiVersion.CURRENT, failing(e));
        }
        Router.Match match;
        try {
            match = router.match(method, target.segments());
            if (match == null) {
                match = failing(router.pathExists(target.segments())
                        ? new PouchException(405, "method " + method + " not allowed for " + target.path())
                        : PouchException.notFound("page not found"));
            }
        } catch (RuntimeException e) {
            match = failing(e);
        }
        return new NettyExchange(connection, req, target.path(), target.version(), match);
    }

    private static Router.Match failing(RuntimeException e) {
        return new Router.Match(ex -> {
            throw e;
        }, Map.of(), false, null);
    }
}
