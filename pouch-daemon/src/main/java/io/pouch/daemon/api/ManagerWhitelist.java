package io.pouch.daemon.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.pouch.api.Json;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;

/**
 * Pouch's {@code --manager-whitelist} on a TLS connection: the common name of the client's certificate must be one
 * of the listed names, or every request gets 403 and the connection is closed. Sits right after the HTTP codec;
 * the peer is the same for the whole connection, so the first request decides and an admitted connection drops
 * this handler.
 */
final class ManagerWhitelist extends ChannelInboundHandlerAdapter {
    static final String NAME = "manager-whitelist";

    private final Set<String> names;
    private boolean refused;

    ManagerWhitelist(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused request
            return;
        }
        if (!(msg instanceof HttpRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String cn = peerCommonName(ctx);
        if (cn != null && names.contains(cn)) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        refused = true;
        ReferenceCountUtil.release(msg);
        String message = "tls verified error: the client certificate's common name "
                + (cn == null ? "is missing" : "\"" + cn + "\" is not in the manager whitelist");
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(Map.of("message", message));
        } catch (Exception e) {
            body = ("{\"message\":\"tls verified error\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** The CN of the certificate the client presented (the TLS handshake verified it against the CA). */
    private static String peerCommonName(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
                return null;
            }
            for (Rdn rdn : new LdapName(x.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            return null;
        }
    }
}
