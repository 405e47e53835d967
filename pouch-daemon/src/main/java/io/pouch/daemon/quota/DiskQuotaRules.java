package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A container's {@code DiskQuota} with Pouch's meaning: each key names the directories inside the container
 * that the size limits. A key is an absolute path ({@code /} is the rootfs, {@code /data} the mount there), a
 * list of paths joined by {@code &} sharing one limit, or a regular expression matched against the whole
 * destination ({@code .*}, which {@code --disk-quota 10g} sends, matches the rootfs and every mount). A key
 * naming a destination exactly wins over an expression, and {@code .*} is the last resort.
 *
 * @param rules the key to the size in bytes, in the request's order
 */
public record DiskQuotaRules(Map<String, Long> rules) {
    public static final String ALL = ".*";
    private static final DiskQuotaRules NONE = new DiskQuotaRules(Map.of());

    public DiskQuotaRules {
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /** @throws PouchException 400 naming {@code DiskQuota} and the bad key or size */
    public static DiskQuotaRules parse(Map<String, String> diskQuota) {
        if (diskQuota == null || diskQuota.isEmpty()) {
            return NONE;
        }
        Map<String, Long> rules = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : diskQuota.entrySet()) {
            String key = e.getKey();
            if (key == null || key.isEmpty()) {
                throw PouchException.invalidArgument("invalid DiskQuota: a path cannot be empty (/=10g, /data=1g,"
                        + " .*=10g)");
            }
            if (key.contains("&")) {
                for (String p : key.split("&", -1)) {
                    if (!p.startsWith("/")) {
                        throw PouchException.invalidArgument("invalid DiskQuota \"" + key + "\": \"" + p + "\" is not"
                                + " an absolute path (paths sharing one limit are joined by &: /&/data)");
                    }
                }
            } else if (!key.startsWith("/")) {
                try {
                    Pattern.compile(key);
                } catch (PatternSyntaxException ex) {
                    throw PouchException.invalidArgument("invalid DiskQuota \"" + key + "\": neither an absolute path"
                            + " nor a regular expression: " + ex.getDescription());
                }
            }
            rules.put(key, QuotaSize.parse("DiskQuota \"" + key + "\"", e.getValue()));
        }
        return new DiskQuotaRules(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The limit of the directory mounted at {@code destination} ({@code /} for the rootfs), if a rule covers it. */
    public OptionalLong limitFor(String destination) {
        Long all = null;
        Long expression = null;
        for (Map.Entry<String, Long> r : rules.entrySet()) {
            String key = r.getKey();
            boolean listed = key.contains("&") && List.of(key.split("&")).contains(destination);
            if (key.equals(destination) || listed) {
                return OptionalLong.of(r.getValue());
            }
            if (key.equals(ALL)) {
                all = r.getValue();
            } else if (!key.contains("&") && expression == null && matchesWhole(key, destination)) {
                expression = r.getValue();
            }
        }
        Long v = expression != null ? expression : all;
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    private static boolean matchesWhole(String key, String destination) {
        try {
            return Pattern.compile(key).matcher(destination).matches();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
