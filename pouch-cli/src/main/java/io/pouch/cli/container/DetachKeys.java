package io.pouch.cli.container;

import io.pouch.cli.CliException;

import java.io.ByteArrayOutputStream;
import java.util.List;

/** docker's detach-key syntax: comma-separated single characters or ctrl-@ .. ctrl-_ ("ctrl-p,ctrl-q"). */
final class DetachKeys {
    static final String DEFAULT = "ctrl-p,ctrl-q";
    private static final List<String> CONTROL = List.of("ctrl-@", "ctrl-a", "ctrl-b", "ctrl-c", "ctrl-d", "ctrl-e",
            "ctrl-f", "ctrl-g", "ctrl-h", "ctrl-i", "ctrl-j", "ctrl-k", "ctrl-l", "ctrl-m", "ctrl-n", "ctrl-o",
            "ctrl-p", "ctrl-q", "ctrl-r", "ctrl-s", "ctrl-t", "ctrl-u", "ctrl-v", "ctrl-w", "ctrl-x", "ctrl-y",
            "ctrl-z", "ctrl-[", "ctrl-\\", "ctrl-]", "ctrl-^", "ctrl-_");

    private DetachKeys() {
    }

    /** The bytes of {@code keys}; null or empty means the default sequence. */
    static byte[] parse(String keys) {
        String spec = keys == null || keys.isEmpty() ? DEFAULT : keys;
        String[] parts = spec.split(",", -1);
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String k = parts[i];
            if (k.length() == 1) {
                out[i] = (byte) k.charAt(0);
                continue;
            }
            int code = CONTROL.indexOf(k);
            if (code < 0) {
                throw new CliException("Unknown character: '" + k + "'", 125);
            }
            out[i] = (byte) code;
        }
        return out;
    }

    /**
     * docker's escape proxy: only reads made of nothing but the next keys of the sequence (keys typed, one or a
     * few at a time, on a terminal) count; their bytes are held back until the sequence completes (then nothing
     * more is sent) or breaks (then they go out with the read that broke it). A read that carries other bytes too,
     * as piped or pasted input does, is never taken for the sequence.
     */
    static final class Filter {
        private final byte[] keys;
        private int matched;
        private boolean detached;

        Filter(byte[] keys) {
            this.keys = keys;
        }

        /** The bytes to send for the first {@code n} of {@code buf}. */
        byte[] feed(byte[] buf, int n) {
            if (detached) {
                return new byte[0];
            }
            if (continuesTheSequence(buf, n)) {
                matched += n;
                detached = matched == keys.length;
                return new byte[0];
            }
            ByteArrayOutputStream send = new ByteArrayOutputStream(n + matched);
            send.write(keys, 0, matched);
            send.write(buf, 0, n);
            matched = 0;
            return send.toByteArray();
        }

        private boolean continuesTheSequence(byte[] buf, int n) {
            if (n == 0 || matched + n > keys.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != keys[matched + i]) {
                    return false;
                }
            }
            return true;
        }

        boolean detached() {
            return detached;
        }
    }
}
