package io.pouch.daemon.image;

import io.pouch.daemon.sys.NativeSha256;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * OCI chain ids: the name of the snapshot holding layers 1..n applied in order.
 * chain(L1) = diffID(L1); chain(Ln) = sha256(chain(Ln-1) + " " + diffID(Ln)).
 */
public final class ChainIds {
    private ChainIds() {
    }

    /** The chain id of every prefix of {@code diffIds}: element i names the snapshot of layers 0..i. */
    public static List<String> of(List<String> diffIds) {
        List<String> out = new ArrayList<>(diffIds.size());
        String prev = null;
        for (String diffId : diffIds) {
            prev = prev == null ? diffId : sha256(prev + " " + diffId);
            out.add(prev);
        }
        return List.copyOf(out);
    }

    /** The top chain id, or null for no layers. */
    public static String top(List<String> diffIds) {
        List<String> all = of(diffIds);
        return all.isEmpty() ? null : all.getLast();
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code sha256:<hex>} digest of {@code bytes}. */
    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** A SHA-256 digest for layer content (libcrypto's when it loads: see {@link NativeSha256}). */
    static MessageDigest digest() {
        return NativeSha256.create();
    }
}
