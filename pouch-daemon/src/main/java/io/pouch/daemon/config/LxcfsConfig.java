package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.nio.file.Path;
import java.util.Map;

/**
 * LXCFS settings (Pouch's flag names, the same keys in config.json).
 *
 * @param enabled {@code enable-lxcfs}: containers may ask for LXCFS's /proc view (default false)
 * @param binary  {@code lxcfs}: the lxcfs binary the operator runs on {@code home} (named in the start-up error
 *                when nothing is mounted there; pouchd does not run lxcfs itself, as Pouch does not)
 * @param home    {@code lxcfs-home}: where lxcfs is mounted (default /var/lib/lxcfs)
 */
public record LxcfsConfig(boolean enabled, Path binary, Path home) {
    public static final String DEFAULT_BINARY = "/usr/bin/lxcfs";
    public static final String DEFAULT_HOME = "/var/lib/lxcfs";

    /** From the merged flags and file keys {@code enable-lxcfs}, {@code lxcfs}, {@code lxcfs-home}. */
    static LxcfsConfig from(Map<String, Object> m) {
        Object enabled = m.getOrDefault("enable-lxcfs", false);
        if (!"true".equals(String.valueOf(enabled)) && !"false".equals(String.valueOf(enabled))) {
            throw PouchException.invalidArgument("invalid value for enable-lxcfs: " + enabled + " (true or false)");
        }
        return new LxcfsConfig(Boolean.parseBoolean(String.valueOf(enabled)),
                absolute(m, "lxcfs", DEFAULT_BINARY, "lxcfs binary"),
                absolute(m, "lxcfs-home", DEFAULT_HOME, "lxcfs home dir"));
    }

    private static Path absolute(Map<String, Object> m, String key, String def, String what) {
        Object v = m.get(key);
        String s = v == null ? def : v.toString();
        if (s.isEmpty() || !s.startsWith("/")) {
            throw PouchException.invalidArgument("invalid " + what + " (" + key + "): \"" + s + "\" is not an absolute"
                    + " path");
        }
        return Path.of(s).normalize();
    }
}
