package io.pouch.api.build;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code .dockerignore} rules, which the daemon applies to a context it gets and the CLI to the context it
 * sends: one pattern a line, {@code #} comments, {@code !} re-includes; paths are cleaned and relative to the
 * context; the last matching pattern decides. A pattern that matches a directory excludes everything under it
 * (unless a later {@code !} pattern takes a path back).
 */
public final class DockerIgnore {
    private record Rule(Pattern pattern, boolean exclude) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    public static final DockerIgnore NONE = new DockerIgnore(List.of());

    public static DockerIgnore parse(String text) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exclude = true;
            if (line.startsWith("!")) {
                exclude = false;
                line = line.substring(1).strip();
            }
            String clean = clean(line);
            if (clean.isEmpty()) {
                continue;
            }
            rules.add(new Rule(Globs.compile(clean), exclude));
        }
        return new DockerIgnore(rules);
    }

    /** Whether the context path {@code rel} (relative, {@code /}-separated) is left out. */
    public boolean excludes(String rel) {
        boolean excluded = false;
        for (Rule r : rules) {
            if (matches(r.pattern(), rel)) {
                excluded = r.exclude();
            }
        }
        return excluded;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    private static boolean matches(Pattern p, String rel) {
        if (p.matcher(rel).matches()) {
            return true;
        }
        // a pattern naming a directory takes everything under it
        for (int i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
            if (p.matcher(rel.substring(0, i)).matches()) {
                return true;
            }
        }
        return false;
    }

    private static String clean(String s) {
        String n = Path.of("/").resolve(s.replaceAll("^/+", "")).normalize().toString();
        return n.equals("/") ? "" : n.substring(1);
    }
}
