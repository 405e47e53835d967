package io.pouch.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS towards a {@code tcp://} daemon, like docker's {@code --tlsverify --tlscacert --tlscert --tlskey}: the
 * daemon's certificate is checked against the CA (and its name or address against the host connected to), and the
 * client presents its own certificate.
 *
 * @param caCert CA of the daemon's certificate (PEM)
 * @param cert   the client certificate (PEM), or null to present none
 * @param key    the client's private key (PEM, PKCS#8), or null
 */
public record ClientTls(Path caCert, Path cert, Path key) {
    SslContext context() {
        for (Path p : new Path[] {caCert, cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                throw new PouchClientException(0, "cannot read TLS file " + p);
            }
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient().trustManager(caCert.toFile())
                    .endpointIdentificationAlgorithm("HTTPS");
            if (cert != null && key != null) {
                b.keyManager(cert.toFile(), key.toFile());
            }
            return b.build();
        } catch (Exception e) {
            throw new PouchClientException(0, "cannot set up TLS from " + caCert + ", " + cert + " and " + key + ": "
                    + e.getMessage(), e);
        }
    }
}
