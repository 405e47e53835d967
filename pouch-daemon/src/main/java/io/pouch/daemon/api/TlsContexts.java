package io.pouch.daemon.api;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.pouch.api.PouchException;
import io.pouch.daemon.config.TlsConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/** The server side of TLS for tcp:// listen addresses, from PEM files, with client certificates required. */
final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * @throws PouchException 400 naming what is missing or unreadable (a key in PKCS#1 or SEC1 form, which the JDK
     *                        cannot read, gets the openssl command that converts it)
     */
    static SslContext server(TlsConfig tls) {
        if (!tls.complete()) {
            throw PouchException.invalidArgument(HttpServer.TCP_NEEDS_TLS);
        }
        for (Path p : new Path[] {tls.caCert(), tls.cert(), tls.key()}) {
            if (!Files.isReadable(p)) {
                throw PouchException.invalidArgument("cannot read TLS file " + p);
            }
        }
        try {
            String key = Files.readString(tls.key());
            if (key.contains("BEGIN RSA PRIVATE KEY") || key.contains("BEGIN EC PRIVATE KEY")) {
                throw PouchException.invalidArgument("TLS key " + tls.key() + " is not in PKCS#8 form; convert it with"
                        + " `openssl pkcs8 -topk8 -nocrypt -in " + tls.key() + " -out key.pem`");
            }
            return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile())
                    .trustManager(tls.caCert().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (PouchException e) {
            throw e;
        } catch (Exception e) {
            throw PouchException.invalidArgument("cannot set up TLS from " + tls.cert() + ", " + tls.key() + " and "
                    + tls.caCert() + ": " + e.getMessage());
        }
    }
}
