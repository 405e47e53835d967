package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Docker's extra log attributes: the container labels and environment variables named by the log options
 * {@code labels}, {@code labels-regex}, {@code env} and {@code env-regex}. json-file stores them with every entry
 * ({@code "attrs"}); {@code logs --details} shows them before each line.
 */
public final class LogAttributes {
    private LogAttributes() {
    }

    /**
     * @param opts   the container's log options
     * @param labels the container's labels
     * @param env    the container's environment, {@code KEY=VALUE}
     * @return the attributes, sorted by key (empty when no option asks for any)
     * @throws PouchException 400 for a regex that does not compile
     */
    public static SortedMap<String, String> extract(Map<String, String> opts, Map<String, String> labels,
                                                    List<String> env) {
        SortedMap<String, String> extra = new TreeMap<>();
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (String name : names(opts.get("labels"))) {
            if (l.containsKey(name)) {
                extra.put(name, l.get(name));
            }
        }
        Pattern labelsRe = regex(opts, "labels-regex");
        if (labelsRe != null) {
            l.forEach((k, v) -> {
                if (labelsRe.matcher(k).find()) {
                    extra.put(k, v);
                }
            });
        }
        Map<String, String> envMap = new TreeMap<>();
        for (String e : env == null ? List.<String>of() : env) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                envMap.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        for (String name : names(opts.get("env"))) {
            if (envMap.containsKey(name)) {
                extra.put(name, envMap.get(name));
            }
        }
        Pattern envRe = regex(opts, "env-regex");
        if (envRe != null) {
            envMap.forEach((k, v) -> {
                if (envRe.matcher(k).find()) {
                    extra.put(k, v);
                }
            });
        }
        return extra;
    }

    /** Validates the regex options (at create). */
    public static void validate(Map<String, String> opts) {
        regex(opts, "labels-regex");
        regex(opts, "env-regex");
    }

    /** What {@code logs --details} puts before a line: {@code k=v,k2=v2}, keys sorted, both query-escaped as Go does. */
    public static String render(Map<String, String> attrs) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(attrs).forEach((k, v) -> {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(escape(k)).append('=').append(escape(v));
        });
        return b.toString();
    }

    /** Go's url.QueryEscape: Java's form encoding, except that Go escapes '*' and keeps '~'. */
    public static String escape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    private static List<String> names(String csv) {
        return csv == null || csv.isEmpty() ? List.of() : List.of(csv.split(","));
    }

    private static Pattern regex(Map<String, String> opts, String key) {
        String re = opts.get(key);
        if (re == null || re.isEmpty()) {
            return null;
        }
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw PouchException.invalidArgument("invalid log opt " + key + " " + re + ": " + e.getDescription());
        }
    }
}
