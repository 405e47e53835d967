package io.pouch.daemon.build;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Dockerfile as Docker's classic builder does: parser directives at the top, comments, line continuations
 * with the escape character, one instruction per logical line, the JSON or shell form of the arguments and the
 * leading {@code --flag=value} flags. Variables are expanded later, by the builder, with {@link ShellWords}. What the
 * classic builder cannot do (the {@code syntax} directive's frontends, heredocs, BuildKit's RUN flags) is refused
 * with the line named.
 */
public final class DockerfileParser {
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<-?\\s*[\"']?[A-Za-z_]");
    private static final Set<String> KEYWORDS = Set.of("from", "run", "cmd", "label", "maintainer", "expose", "env",
            "add", "copy", "entrypoint", "volume", "user", "workdir", "arg", "onbuild", "stopsignal", "healthcheck",
            "shell");
    private static final Set<String> JSON_FORM = Set.of("run", "cmd", "entrypoint", "shell", "copy", "add", "volume");
    private static final Map<String, Set<String>> FLAGS = Map.of(
            "from", Set.of("platform"),
            "copy", Set.of("from", "chown", "chmod"),
            "add", Set.of("chown", "chmod"),
            "healthcheck", Set.of("interval", "timeout", "start-period", "retries"));

    private DockerfileParser() {
    }

    public static Dockerfile parse(String text) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        char escape = '\\';
        int i = 0;
        for (; i < lines.length; i++) {
            Matcher m = DIRECTIVE.matcher(lines[i].strip());
            if (!m.matches()) {
                break;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2);
            if (name.equals("escape")) {
                if (!value.equals("\\") && !value.equals("`")) {
                    throw DockerfileException.at(i + 1, "invalid escape token '" + value
                            + "' does not match ` or \\");
                }
                escape = value.charAt(0);
            } else if (name.equals("syntax")) {
                throw DockerfileException.at(i + 1, "the syntax directive (" + value + ") selects a BuildKit "
                        + "frontend, which pouchd's classic builder does not run: remove the line");
            }
        }
        List<Instruction> meta = new ArrayList<>();
        List<Instruction> rest = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        int start = -1;
        for (; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty())) {
                continue;
            }
            if (start < 0) {
                start = i + 1;
            }
            String right = line.stripTrailing();
            if (!right.isEmpty() && right.charAt(right.length() - 1) == escape) {
                logical.append(right, 0, right.length() - 1);
                continue;
            }
            logical.append(line);
            add(instruction(logical.toString(), start, escape), meta, rest);
            logical.setLength(0);
            start = -1;
        }
        if (start >= 0 && !logical.toString().isBlank()) {
            add(instruction(logical.toString(), start, escape), meta, rest);
        }
        if (rest.isEmpty()) {
            int line = meta.isEmpty() ? 1 : meta.getLast().line();
            throw DockerfileException.at(line, "the Dockerfile has no FROM instruction");
        }
        return new Dockerfile(meta, rest, escape);
    }

    private static void add(Instruction in, List<Instruction> meta, List<Instruction> rest) {
        if (rest.isEmpty() && !in.keyword().equals("from")) {
            if (!in.keyword().equals("arg")) {
                throw DockerfileException.at(in.line(), "no build stage in current context: "
                        + in.keyword().toUpperCase(Locale.ROOT) + " comes before the first FROM");
            }
            meta.add(in);
        } else {
            rest.add(in);
        }
    }

    /** One logical line (continuations joined) as an instruction. */
    static Instruction instruction(String text, int line, char escape) {
        String s = text.strip();
        int sp = 0;
        while (sp < s.length() && !Character.isWhitespace(s.charAt(sp))) {
            sp++;
        }
        String word = s.substring(0, sp);
        String keyword = word.toLowerCase(Locale.ROOT);
        if (!KEYWORDS.contains(keyword)) {
            throw DockerfileException.at(line, "unknown instruction: " + word.toUpperCase(Locale.ROOT));
        }
        String rest = s.substring(sp).strip();
        Map<String, String> flags = new LinkedHashMap<>();
        while (rest.startsWith("--")) {
            int end = 0;
            while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                end++;
            }
            String flag = rest.substring(2, end);
            int eq = flag.indexOf('=');
            String name = eq < 0 ? flag : flag.substring(0, eq);
            if (!FLAGS.getOrDefault(keyword, Set.of()).contains(name)) {
                String why = keyword.equals("run") ? " (RUN --" + name + " needs BuildKit, which pouchd does not run)" : "";
                throw DockerfileException.at(line, "unknown flag: --" + name + " on " + word.toUpperCase(Locale.ROOT) + why);
            }
            if (eq < 0) {
                throw DockerfileException.at(line, "flag --" + name + " needs a value: --" + name + "=VALUE");
            }
            flags.put(name, flag.substring(eq + 1));
            rest = rest.substring(end).strip();
        }
        if ((keyword.equals("run") || keyword.equals("copy") || keyword.equals("add"))
                && HEREDOC.matcher(rest).find()) {
            throw DockerfileException.at(line, "heredocs (<<EOF) need BuildKit; pouchd's classic builder does not "
                    + "support them in " + word.toUpperCase(Locale.ROOT));
        }
        String original = (word.toUpperCase(Locale.ROOT) + " " + s.substring(sp).strip()).strip();
        if (JSON_FORM.contains(keyword) && rest.startsWith("[")) {
            List<String> array = jsonArray(rest);
            if (array != null) {
                checkCount(keyword, array.size(), line);
                return new Instruction(keyword, flags, array, true, original, line);
            }
        }
        if (keyword.equals("shell")) {
            throw DockerfileException.at(line, "SHELL requires the arguments to be in JSON form");
        }
        List<String> args = switch (keyword) {
            case "run", "cmd", "entrypoint", "workdir", "user", "stopsignal", "maintainer", "healthcheck" ->
                    rest.isEmpty() ? List.of() : List.of(rest);
            case "onbuild" -> {
                if (rest.isEmpty()) {
                    yield List.of();
                }
                Instruction trigger = instruction(rest, line, escape);
                if (trigger.keyword().equals("onbuild")) {
                    throw DockerfileException.at(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
                }
                if (Set.of("from", "maintainer").contains(trigger.keyword())) {
                    throw DockerfileException.at(line, trigger.keyword().toUpperCase(Locale.ROOT)
                            + " isn't allowed as an ONBUILD trigger");
                }
                yield List.of(rest);
            }
            case "env", "label" -> pairs(keyword, rest, line, escape);
            default -> ShellWords.split(rest, escape);
        };
        checkCount(keyword, args.size(), line);
        return new Instruction(keyword, flags, args, false, original, line);
    }

    private static void checkCount(String keyword, int n, int line) {
        String k = keyword.toUpperCase(Locale.ROOT);
        String problem = switch (keyword) {
            case "from" -> n == 1 || n == 3 ? null : "FROM requires either one or three arguments";
            case "copy", "add" -> n >= 2 ? null : k + " requires at least two arguments";
            case "cmd", "entrypoint", "onbuild", "healthcheck", "shell" -> null;
            case "arg", "expose", "volume", "env", "label" -> n >= 1 ? null : k + " requires at least one argument";
            default -> n >= 1 ? null : k + " requires exactly one argument";
        };
        if (problem != null) {
            throw DockerfileException.at(line, problem);
        }
    }

    /** {@code ENV}/{@code LABEL}: alternating names and raw values, from {@code k=v ...} or the legacy {@code k v}. */
    private static List<String> pairs(String keyword, String rest, int line, char escape) {
        List<String> words = ShellWords.split(rest, escape);
        List<String> out = new ArrayList<>();
        if (words.isEmpty()) {
            return out;
        }
        if (!words.getFirst().contains("=")) {
            if (words.size() < 2) {
                throw DockerfileException.at(line, keyword.toUpperCase(Locale.ROOT) + " must have two arguments");
            }
            out.add(words.getFirst());
            out.add(rest.substring(rest.indexOf(words.getFirst()) + words.getFirst().length()).strip());
            return out;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw DockerfileException.at(line, "Syntax error - can't find = in \"" + w
                        + "\". Must be of the form: name=value");
            }
            out.add(w.substring(0, eq));
            out.add(w.substring(eq + 1));
        }
        return out;
    }

    private static List<String> jsonArray(String s) {
        try {
            return Json.MAPPER.readValue(s, new TypeReference<List<String>>() {
            });
        } catch (IOException e) {
            return null;
        }
    }
}
