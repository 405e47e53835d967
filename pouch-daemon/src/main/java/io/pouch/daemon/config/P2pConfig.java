package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * P2P image distribution: the {@code "p2p"} object of config.json and the {@code --p2p-*} flags, checked at start.
 * A setting given both as a flag and in the file, a bad value, an unreadable certificate file, some but not all
 * of the mutual TLS files, mutual TLS and a token together (or neither), P2P without a scheduler, and P2P settings
 * while P2P is not enabled all stop pouchd with a message naming the flag and the key.
 *
 * The peer's settings are those of {@code io.pouch.daemon.p2p.P2pSettings} (made from these where pouchd starts
 * the peer; this package stays below the registry client's).
 *
 * @param enabled         false: pulls go to the registry only
 * @param schedulerListen {@code --p2p-scheduler-listen}: where this pouchd serves the scheduler role, or null
 * @param pieceSize       default 4 MiB
 * @param uploadRateLimit bytes per second this peer serves; 0: no limit
 */
public record P2pConfig(boolean enabled, String scheduler, String schedulerListen, String listen, String advertise,
                        Path caFile, Path certFile, Path keyFile, String token, int pieceSize, long uploadRateLimit,
                        int maxParents) {
    public static final String SECTION = "p2p";
    public static final int DEFAULT_PIECE_SIZE = 4 << 20;
    public static final String DEFAULT_LISTEN = "0.0.0.0:65002";
    public static final int DEFAULT_MAX_PARENTS = 4;
    static final int MIN_PIECE_SIZE = 64 << 10;
    static final int MAX_PIECE_SIZE = 64 << 20;
    static final int MAX_PARENTS_LIMIT = 64;

    /** The file's keys in the "p2p" object, each with its flag. */
    static final Map<String, String> FLAGS = flags(
            "enable", "--p2p-enable",
            "scheduler", "--p2p-scheduler",
            "scheduler-listen", "--p2p-scheduler-listen",
            "listen", "--p2p-listen",
            "advertise", "--p2p-advertise",
            "ca-file", "--p2p-ca",
            "cert-file", "--p2p-cert",
            "key-file", "--p2p-key",
            "token", "--p2p-token",
            "piece-size", "--p2p-piece-size",
            "upload-rate-limit", "--p2p-upload-rate-limit",
            "max-parents", "--p2p-max-parents");

    public static P2pConfig disabled() {
        return new P2pConfig(false, null, null, DEFAULT_LISTEN, null, null, null, null, null, DEFAULT_PIECE_SIZE, 0,
                DEFAULT_MAX_PARENTS);
    }

    /**
     * @param flags   the {@code --p2p-*} flags the user gave, keyed like the file's object
     * @param section the file's {@code "p2p"} value, or null
     * @param file    the file, for messages
     */
    @SuppressWarnings("unchecked")
    static P2pConfig from(Map<String, Object> flags, Object section, Path file) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (section != null) {
            if (!(section instanceof Map<?, ?>)) {
                throw PouchException.invalidArgument("\"p2p\" in " + file + " must be an object with the keys "
                        + String.join(", ", FLAGS.keySet()));
            }
            for (Map.Entry<String, Object> e : ((Map<String, Object>) section).entrySet()) {
                if (!FLAGS.containsKey(e.getKey())) {
                    throw PouchException.invalidArgument("unknown key \"" + e.getKey() + "\" in \"p2p\" of " + file
                            + "; known keys: " + String.join(", ", FLAGS.keySet()));
                }
                if (flags.containsKey(e.getKey())) {
                    throw PouchException.invalidArgument("the following directives are specified both as a flag and in"
                            + " the configuration file " + file + ": " + FLAGS.get(e.getKey()) + " and \"p2p\": {\""
                            + e.getKey() + "\"}");
                }
                if (e.getValue() != null) {
                    m.put(e.getKey(), e.getValue());
                }
            }
        }
        m.putAll(flags);
        return from(m);
    }

    private static P2pConfig from(Map<String, Object> m) {
        Object enableValue = m.get("enable");
        boolean enabled = enableValue != null && bool("enable", enableValue);
        String schedulerListen = address(m, "scheduler-listen", null);
        if (enableValue == null && schedulerListen == null && !m.isEmpty()) {
            throw PouchException.invalidArgument("P2P settings given (" + String.join(", ", m.keySet().stream()
                    .map(P2pConfig::name).toList()) + ") but P2P is not enabled: add --p2p-enable (\"p2p\": {\"enable\":"
                    + " true}), or give \"enable\": false to keep them switched off");
        }
        String scheduler = address(m, "scheduler", null);
        if (enabled && scheduler == null) {
            throw PouchException.invalidArgument("P2P is enabled without a scheduler: give " + name("scheduler")
                    + " host:port (the address of a pouchd started with --p2p-scheduler-listen, or of the standalone"
                    + " scheduler)");
        }
        String listen = address(m, "listen", DEFAULT_LISTEN);
        String advertise = address(m, "advertise", null);
        List<String> tlsKeys = List.of("ca-file", "cert-file", "key-file");
        List<String> givenTls = tlsKeys.stream().filter(m::containsKey).toList();
        if (!givenTls.isEmpty() && givenTls.size() < 3) {
            throw PouchException.invalidArgument("P2P mutual TLS needs all three of " + names(tlsKeys) + "; only "
                    + names(givenTls) + " given");
        }
        String token = m.containsKey("token") ? m.get("token").toString() : null;
        if (token != null && token.isBlank()) {
            throw PouchException.invalidArgument("invalid " + name("token") + ": it is empty");
        }
        if (token != null && !givenTls.isEmpty()) {
            throw PouchException.invalidArgument("P2P takes either mutual TLS (" + names(tlsKeys) + ") or a shared "
                    + name("token") + ", not both");
        }
        if ((enabled || schedulerListen != null) && token == null && givenTls.isEmpty()) {
            throw PouchException.invalidArgument("P2P needs its peers authenticated: give mutual TLS files ("
                    + names(tlsKeys) + ", signed by the cluster's CA) or, for tests only, a shared " + name("token"));
        }
        Path ca = readable(m, "ca-file");
        Path cert = readable(m, "cert-file");
        Path key = readable(m, "key-file");
        long pieceSize = m.containsKey("piece-size") ? Sizes.parse(name("piece-size"), m.get("piece-size"), 1)
                : DEFAULT_PIECE_SIZE;
        if (pieceSize < MIN_PIECE_SIZE || pieceSize > MAX_PIECE_SIZE) {
            throw PouchException.invalidArgument("invalid " + name("piece-size") + " " + m.get("piece-size")
                    + ": it must be between 64KiB and 64MiB");
        }
        long rate = m.containsKey("upload-rate-limit")
                ? Sizes.parse(name("upload-rate-limit"), m.get("upload-rate-limit"), 0) : 0;
        int maxParents = DEFAULT_MAX_PARENTS;
        if (m.containsKey("max-parents")) {
            try {
                maxParents = Integer.parseInt(m.get("max-parents").toString().trim());
            } catch (NumberFormatException e) {
                maxParents = -1;
            }
            if (maxParents < 1 || maxParents > MAX_PARENTS_LIMIT) {
                throw PouchException.invalidArgument("invalid " + name("max-parents") + " " + m.get("max-parents")
                        + ": it must be a number from 1 to " + MAX_PARENTS_LIMIT);
            }
        }
        return new P2pConfig(enabled, scheduler, schedulerListen, listen, advertise, ca, cert, key, token,
                (int) pieceSize, rate, maxParents);
    }

    /** How messages name a setting: its flag and its key in the file. */
    static String name(String key) {
        return FLAGS.get(key) + " (\"p2p\": {\"" + key + "\"})";
    }

    private static String names(List<String> keys) {
        return String.join(", ", keys.stream().map(P2pConfig::name).toList());
    }

    private static boolean bool(String key, Object v) {
        String s = v.toString();
        if (!s.equals("true") && !s.equals("false")) {
            throw PouchException.invalidArgument("invalid " + name(key) + " " + s + ": true or false");
        }
        return Boolean.parseBoolean(s);
    }

    /** {@code host:port} or {@code [v6]:port}, port 1..65535. */
    private static String address(Map<String, Object> m, String key, String def) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        String s = v.toString().trim();
        int colon = s.lastIndexOf(':');
        String host = colon <= 0 ? "" : s.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.isEmpty() || port < 1 || port > 65535 || (host.contains(":") && !bracketed)
                || host.contains("/") || host.contains(" ")) {
            throw PouchException.invalidArgument("invalid " + name(key) + " \"" + s + "\": host:port expected"
                    + " (10.1.0.1:65001; an IPv6 address in brackets)");
        }
        return s;
    }

    private static Path readable(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        Path p = Path.of(v.toString());
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw PouchException.invalidArgument("cannot read " + name(key) + " " + p + ": "
                    + (Files.exists(p) ? "not a readable file" : "no such file"));
        }
        return p;
    }

    private static Map<String, String> flags(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
