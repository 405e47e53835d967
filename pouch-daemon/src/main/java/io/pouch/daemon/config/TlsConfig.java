package io.pouch.daemon.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS for {@code tcp://} listen addresses: Pouch's {@code --tlscacert}, {@code --tlscert}, {@code --tlskey} and
 * {@code --tlsverify} (in the config file, Pouch's {@code "TLS"} object with the same keys). pouchd serves TCP only
 * with TLS and client certificates: whoever can talk to the API is root on the host.
 *
 * @param caCert the CA that signs client certificates (PEM), or null
 * @param cert   the server certificate chain (PEM), or null
 * @param key    the server's private key (PEM, PKCS#8), or null
 * @param verify whether clients must present a certificate signed by {@code caCert}
 * @param managerWhitelist Pouch's {@code --manager-whitelist}: when not empty, a TCP client whose certificate's
 *                         common name is not listed gets 403 to every request
 */
public record TlsConfig(Path caCert, Path cert, Path key, boolean verify, List<String> managerWhitelist) {
    public TlsConfig {
        managerWhitelist = managerWhitelist == null ? List.of() : List.copyOf(managerWhitelist);
    }

    /** Every client with a certificate the CA signed is let in. */
    public TlsConfig(Path caCert, Path cert, Path key, boolean verify) {
        this(caCert, cert, key, verify, List.of());
    }

    public static TlsConfig none() {
        return new TlsConfig(null, null, null, false);
    }

    /** Everything TCP serving needs: a server certificate and key, and client certificates checked against a CA. */
    public boolean complete() {
        return caCert != null && cert != null && key != null && verify;
    }
}
