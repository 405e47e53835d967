package io.pouch.daemon.config;

import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

/**
 * pouchd's own operation: Pouch's {@code cgroup-parent}, {@code label}, {@code oom-score-adjust} (flag
 * {@code --oom-score-adj}), dockerd's {@code log-level} and the builder's {@code build-context-limit}.
 *
 * @param cgroupParent the cgroup parent of containers whose own CgroupParent is empty, absolute, or null for the
 *                     engine's {@code /pouch}
 * @param labels       the daemon's labels, {@code key=value}, shown by {@code docker info}
 * @param oomScoreAdj  written to pouchd's {@code /proc/self/oom_score_adj} at start (its supervised containerd
 *                     inherits it, as dockerd's does), or null to leave it as the process was started
 * @param logLevel     the level of pouchd's log ({@code debug} turns on FINE, as {@code -D} does)
 * @param buildContextLimit the largest build context body {@code POST /build} accepts, in bytes (a larger one is a
 *                     413); 4 GiB unless set
 */
public record EngineSettings(String cgroupParent, List<String> labels, Integer oomScoreAdj, Level logLevel,
                             long buildContextLimit) {
    public static final long DEFAULT_BUILD_CONTEXT_LIMIT = 4L << 30;

    public static EngineSettings defaults() {
        return new EngineSettings(null, List.of(), null, Level.INFO, DEFAULT_BUILD_CONTEXT_LIMIT);
    }

    /** @throws PouchException 400 naming the key and the bad value */
    static EngineSettings from(Map<String, Object> m) {
        return new EngineSettings(cgroupParent(m.get("cgroup-parent")), labels(m.get("label")),
                oomScoreAdj(m.get("oom-score-adjust")), logLevel(m.get("log-level"), m.get("debug")),
                buildContextLimit(m.get("build-context-limit")));
    }

    /** A number of bytes, or with a binary unit: {@code 512k}, {@code 100m}, {@code 4g}, {@code 1GiB}, {@code 10MB}. */
    static long buildContextLimit(Object v) {
        if (v == null) {
            return DEFAULT_BUILD_CONTEXT_LIMIT;
        }
        return Sizes.parse("build-context-limit", v, 1);
    }

    private static String cgroupParent(Object v) {
        if (v == null || v.toString().isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (String seg : v.toString().split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                throw PouchException.invalidArgument("invalid cgroup-parent \"" + v + "\": it must not contain \"..\"");
            }
            out.append('/').append(seg);
        }
        if (out.isEmpty()) {
            throw PouchException.invalidArgument("invalid cgroup-parent \"" + v + "\": it names no cgroup");
        }
        return out.toString();
    }

    private static List<String> labels(Object v) {
        List<String> out = new ArrayList<>();
        for (String label : ConfigLoader.strings(v)) {
            int eq = label.indexOf('=');
            if (eq < 0) {
                throw PouchException.invalidArgument("daemon label " + label + " must be in format of key=value");
            }
            if (eq == 0 || eq == label.length() - 1) {
                throw PouchException.invalidArgument("key and value in daemon label " + label + " cannot be empty");
            }
            if (!out.contains(label)) {
                out.add(label);
            }
        }
        return List.copyOf(out);
    }

    private static Integer oomScoreAdj(Object v) {
        if (v == null) {
            return null;
        }
        int n;
        try {
            n = Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid oom-score-adj " + v + ": it must be a number");
        }
        if (n < -1000 || n > 1000) {
            throw PouchException.invalidArgument("invalid oom-score-adj " + n + ": it must be between -1000 and 1000");
        }
        return n;
    }

    private static Level logLevel(Object level, Object debug) {
        if (debug != null && debug.toString().equals("true")) {
            return Level.FINE;
        }
        if (level == null) {
            return Level.INFO;
        }
        return switch (level.toString()) {
            case "debug" -> Level.FINE;
            case "info" -> Level.INFO;
            case "warn" -> Level.WARNING;
            case "error", "fatal" -> Level.SEVERE;
            default -> throw PouchException.invalidArgument("invalid log-level " + level + ": debug, info, warn, error"
                    + " or fatal");
        };
    }
}
