package io.pouch.daemon;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --p2p-*} flags of P2P image distribution, keyed like config.json's {@code "p2p"} object; {@code
 * ConfigLoader.loadP2p} checks them with the file.
 */
final class P2pFlags {
    @Option(names = "--p2p-enable", arity = "0..1", fallbackValue = "true",
            description = "pull layers from peers as well as the registry (needs --p2p-scheduler and auth)")
    Boolean enable;
    @Option(names = "--p2p-scheduler", description = "the P2P scheduler, host:port")
    String scheduler;
    @Option(names = "--p2p-scheduler-listen", description = "also run the P2P scheduler role here, host:port")
    String schedulerListen;
    @Option(names = "--p2p-listen", description = "where this peer serves pieces, host:port (default 0.0.0.0:65002)")
    String listen;
    @Option(names = "--p2p-advertise", description = "the address other peers reach this one at, host:port")
    String advertise;
    @Option(names = "--p2p-ca", description = "the cluster CA that signs every peer's certificate (PEM)")
    String ca;
    @Option(names = "--p2p-cert", description = "this peer's certificate (PEM)")
    String cert;
    @Option(names = "--p2p-key", description = "this peer's private key (PEM, PKCS#8)")
    String key;
    @Option(names = "--p2p-token", description = "a shared token over plain HTTP instead of mutual TLS: for tests"
            + " only, anyone who can reach a peer and knows it is trusted")
    String token;
    @Option(names = "--p2p-piece-size", description = "size of the pieces blobs are shared in (default 4MiB)")
    String pieceSize;
    @Option(names = "--p2p-upload-rate-limit", description = "bytes per second this peer serves, with k/m/g"
            + " (default 0: no limit)")
    String uploadRateLimit;
    @Option(names = "--p2p-max-parents", description = "peers one blob is fetched from at once (default 4)")
    Integer maxParents;

    /** The flags given, keyed like the file's "p2p" object. */
    Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "enable", enable);
        put(m, "scheduler", scheduler);
        put(m, "scheduler-listen", schedulerListen);
        put(m, "listen", listen);
        put(m, "advertise", advertise);
        put(m, "ca-file", ca);
        put(m, "cert-file", cert);
        put(m, "key-file", key);
        put(m, "token", token);
        put(m, "piece-size", pieceSize);
        put(m, "upload-rate-limit", uploadRateLimit);
        put(m, "max-parents", maxParents);
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
