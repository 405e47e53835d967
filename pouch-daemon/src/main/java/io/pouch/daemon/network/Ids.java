package io.pouch.daemon.network;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers: network and endpoint ids (64 hex digits, as Docker's) and host veth names. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String newId() {
        return hex(32);
    }

    /** A host veth name: "veth" and 7 random hex digits (15 characters at most, the kernel's limit). */
    static String vethName() {
        return "veth" + hex(4).substring(0, 7);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
