package io.pouch.daemon.p2p;

import io.pouch.daemon.sys.NativeSha256;

import java.util.HexFormat;

/**
 * The {@code sha256:<hex>} digest of a piece. Every byte a peer receives is hashed once, so it is libcrypto's
 * ({@link NativeSha256}): pouchd's JIT (C1 only) has no SHA intrinsic, and the JDK's digest cost a 257 MiB pull
 * about 2.7 s of CPU on this testbed, where every host shares the same cores.
 */
final class Digests {
    private Digests() {
    }

    static String sha256(byte[] data) {
        return "sha256:" + HexFormat.of().formatHex(NativeSha256.create().digest(data));
    }
}
