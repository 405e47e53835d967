package io.pouch.daemon.volume;

import io.pouch.api.PouchException;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Volume names: docker's pattern, which also keeps every name a single, harmless path component. */
public final class VolumeNames {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();

    private VolumeNames() {
    }

    public static boolean valid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** 400 with docker's wording when {@code name} cannot name a volume ('/', "..", spaces, one character...). */
    public static String validate(String name) {
        if (!valid(name)) {
            throw PouchException.invalidArgument("create " + name + ": \"" + name + "\" includes invalid characters"
                    + " for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to"
                    + " pass a host directory, use absolute path");
        }
        return name;
    }

    /** An anonymous volume's name: 64 hex digits, like docker's. */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
