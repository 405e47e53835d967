package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The {@code syslog} log driver's options, validated with dockerd's rules and wording (at create, so a bad option
 * never gets as far as a start).
 *
 * @param scheme        {@code unix}, {@code unixgram}, {@code udp} or {@code tcp}; null for the local syslog
 *                      ({@code /dev/log}, datagram first, then stream, as dockerd's syslog library does)
 * @param target        the socket path for unix schemes, {@code host:port} otherwise (port 514 when none given)
 * @param facility      0..23 (default {@code daemon}, 3)
 * @param format        the line format
 * @param tag           the tag template (default {@code {{.ID}}})
 * @param cacheDisabled true when the local copy that lets {@code logs} read a syslog container is turned off
 * @param cache         json-file options for that local copy ({@code max-size}, {@code max-file})
 */
public record SyslogOptions(String scheme, String target, int facility, SyslogFormat format, String tag,
                            boolean cacheDisabled, Map<String, String> cache) {
    public static final Set<String> KNOWN = Set.of("env", "env-regex", "labels", "labels-regex", "syslog-address",
            "syslog-facility", "syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify",
            "tag", "syslog-format", "mode", "max-buffer-size",
            // dockerd's "dual logging" cache, which lets `logs` read containers of drivers that cannot be read
            "cache-disabled", "cache-max-size", "cache-max-file", "cache-compress");
    private static final Map<String, Integer> FACILITIES = Map.ofEntries(Map.entry("kern", 0), Map.entry("user", 1),
            Map.entry("mail", 2), Map.entry("daemon", 3), Map.entry("auth", 4), Map.entry("syslog", 5),
            Map.entry("lpr", 6), Map.entry("news", 7), Map.entry("uucp", 8), Map.entry("cron", 9),
            Map.entry("authpriv", 10), Map.entry("ftp", 11), Map.entry("local0", 16), Map.entry("local1", 17),
            Map.entry("local2", 18), Map.entry("local3", 19), Map.entry("local4", 20), Map.entry("local5", 21),
            Map.entry("local6", 22), Map.entry("local7", 23));
    /** dockerd's cache defaults (its "local" driver: 20 MB, 5 files); ours is a json-file beside the container. */
    private static final String CACHE_MAX_SIZE = "20m";
    private static final String CACHE_MAX_FILE = "5";

    /**
     * @throws PouchException 400 with dockerd's message for an unknown option, a bad address, facility or format
     */
    public static SyslogOptions parse(Map<String, String> opts) {
        Map<String, String> o = opts == null ? Map.of() : opts;
        for (String k : o.keySet()) {
            if (!KNOWN.contains(k)) {
                throw PouchException.invalidArgument("unknown log opt '" + k + "' for syslog log driver");
            }
        }
        for (String k : o.keySet()) {
            if (k.startsWith("syslog-tls-")) {
                throw PouchException.invalidArgument("log opt '" + k + "': syslog over TLS is not supported by pouchd;"
                        + " use udp://, tcp:// or a unix socket");
            }
        }
        String scheme = null;
        String target = null;
        String address = o.getOrDefault("syslog-address", "");
        if (!address.isEmpty()) {
            URI uri;
            try {
                uri = new URI(address);
            } catch (URISyntaxException e) {
                throw PouchException.invalidArgument("syslog-address " + address + ": " + e.getMessage());
            }
            scheme = uri.getScheme() == null ? "" : uri.getScheme();
            switch (scheme) {
                case "unix", "unixgram" -> {
                    target = uri.getPath();
                    if (target == null || target.isEmpty() || !Files.exists(Path.of(target))) {
                        throw PouchException.invalidArgument("stat " + target + ": no such file or directory");
                    }
                }
                case "udp", "tcp" -> {
                    if (uri.getHost() == null) {
                        throw PouchException.invalidArgument("syslog-address " + address + ": missing host");
                    }
                    target = uri.getHost() + ":" + (uri.getPort() < 0 ? 514 : uri.getPort());
                }
                case "tcp+tls" -> throw PouchException.invalidArgument(
                        "syslog over TLS is not supported by pouchd; use udp://, tcp:// or a unix socket");
                default -> throw PouchException.invalidArgument("unsupported scheme: '" + scheme + "'");
            }
        }
        int facility = facility(o.getOrDefault("syslog-facility", ""));
        SyslogFormat format = SyslogFormat.parse(o.getOrDefault("syslog-format", ""));
        String tag = o.getOrDefault("tag", LogTag.DEFAULT);
        LogTag.validate(tag);
        String disabled = o.getOrDefault("cache-disabled", "false");
        if (!disabled.equals("true") && !disabled.equals("false")) {
            throw PouchException.invalidArgument("invalid value for log opt cache-disabled: " + disabled);
        }
        Map<String, String> cache = Map.of("max-size", o.getOrDefault("cache-max-size", CACHE_MAX_SIZE),
                "max-file", o.getOrDefault("cache-max-file", CACHE_MAX_FILE));
        JsonFileLog.parseOptions(cache);
        return new SyslogOptions(scheme, target, facility, format, tag, Boolean.parseBoolean(disabled), cache);
    }

    private static int facility(String name) {
        if (name.isEmpty()) {
            return 3;
        }
        Integer f = FACILITIES.get(name);
        if (f != null) {
            return f;
        }
        try {
            int n = Integer.parseInt(name);
            if (n >= 0 && n <= 23) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // falls through to dockerd's message
        }
        throw PouchException.invalidArgument("invalid syslog facility");
    }
}
