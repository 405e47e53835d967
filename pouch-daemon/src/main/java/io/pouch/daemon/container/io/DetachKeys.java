package io.pouch.daemon.container.io;

import io.pouch.api.PouchException;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Detach key sequences in Docker's syntax: comma-separated keys, each a single character or {@code ctrl-X} with X
 * one of {@code a-z @ [ \ ] ^ _} (case-insensitive). Default {@code ctrl-p,ctrl-q}.
 */
public final class DetachKeys {
    public static final String DEFAULT = "ctrl-p,ctrl-q";

    private DetachKeys() {
    }

    /**
     * @param spec null or empty means {@link #DEFAULT}
     * @throws PouchException 400 "Invalid detach keys (...) provided", dockerd's answer
     */
    public static byte[] parse(String spec) {
        String s = spec == null || spec.isEmpty() ? DEFAULT : spec;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String key : s.split(",", -1)) {
            if (key.length() == 1) {
                out.write(key.charAt(0));
                continue;
            }
            String k = key.toLowerCase(Locale.ROOT);
            if (k.length() == 6 && k.startsWith("ctrl-")) {
                char c = k.charAt(5);
                if (c >= 'a' && c <= 'z') {
                    out.write(c - 'a' + 1);
                    continue;
                }
                int i = "@[\\]^_".indexOf(c);
                if (i >= 0) {
                    out.write(i == 0 ? 0 : 26 + i);
                    continue;
                }
            }
            throw PouchException.invalidArgument("Invalid detach keys (" + spec + ") provided");
        }
        return out.toByteArray();
    }

    /**
     * Scans client input for the detach sequence like Docker's escape proxy: bytes that may start the sequence
     * are held back; on a mismatch they are passed on; a complete match is swallowed and reported.
     */
    public static final class Scanner {
        private final byte[] keys;
        private int matched;

        public Scanner(byte[] keys) {
            this.keys = keys;
        }

        /**
         * Feeds input, appending what should reach the process to {@code forward}.
         *
         * @return true when the detach sequence was completed (the rest of {@code in} is dropped)
         */
        public boolean feed(byte[] in, int off, int len, ByteArrayOutputStream forward) {
            if (keys.length == 0) {
                forward.write(in, off, len);
                return false;
            }
            for (int i = off; i < off + len; i++) {
                byte b = in[i];
                if (b == keys[matched]) {
                    if (++matched == keys.length) {
                        matched = 0;
                        return true;
                    }
                    continue;
                }
                if (matched > 0) {
                    forward.write(keys, 0, matched);
                    matched = 0;
                    if (b == keys[0]) {
                        matched = 1;
                        continue;
                    }
                }
                forward.write(b);
            }
            return false;
        }
    }
}
