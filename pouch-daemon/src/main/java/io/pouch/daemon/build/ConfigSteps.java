package io.pouch.daemon.build;

import java.io.IOException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.Signals;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions that only change the image config (ENV, LABEL, EXPOSE, WORKDIR, USER, VOLUME, STOPSIGNAL,
 * HEALTHCHECK, CMD, ENTRYPOINT, SHELL, ONBUILD, MAINTAINER, ARG), applied to a {@link Stage} with Docker's rules and
 * expansions. Each answers the history's {@code created_by} for its step.
 */
final class ConfigSteps {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?");

    private ConfigSteps() {
    }

    static boolean handles(String keyword) {
        return switch (keyword) {
            case "env", "label", "expose", "workdir", "user", "volume", "stopsignal", "healthcheck", "cmd",
                 "entrypoint", "shell", "onbuild", "maintainer", "arg" -> true;
            default -> false;
        };
    }

    /**
     * Applies {@code in} to {@code st}; {@code buildArgs} are the client's values (for ARG).
     *
     * @return the {@code created_by} of the step's history entry
     */
    static String apply(Stage st, Instruction in, char escape, Map<String, String> buildArgs) {
        ObjectNode run = st.run();
        List<String> a = in.args();
        switch (in.keyword()) {
            case "env" -> {
                List<String> parts = new ArrayList<>();
                List<String[]> pairs = new ArrayList<>();
                for (int i = 0; i < a.size(); i += 2) {
                    // every value sees the variables as they were before this ENV, as in Docker
                    pairs.add(new String[]{x(st, a.get(i), escape), x(st, a.get(i + 1), escape)});
                }
                for (String[] p : pairs) {
                    st.setEnv(p[0], p[1]);
                    parts.add(p[0] + "=" + p[1]);
                }
                return nop("ENV " + String.join(" ", parts));
            }
            case "label" -> {
                ObjectNode labels = run.has("Labels") && run.get("Labels").isObject()
                        ? (ObjectNode) run.get("Labels") : run.putObject("Labels");
                List<String> parts = new ArrayList<>();
                for (int i = 0; i < a.size(); i += 2) {
                    String k = x(st, a.get(i), escape);
                    String v = x(st, a.get(i + 1), escape);
                    labels.put(k, v);
                    parts.add(k + "=" + v);
                }
                return nop("LABEL " + String.join(" ", parts));
            }
            case "expose" -> {
                ObjectNode ports = run.has("ExposedPorts") && run.get("ExposedPorts").isObject()
                        ? (ObjectNode) run.get("ExposedPorts") : run.putObject("ExposedPorts");
                List<String> parts = new ArrayList<>();
                for (String w : a) {
                    for (String p : ports(x(st, w, escape), in.line())) {
                        ports.putObject(p);
                        parts.add(p);
                    }
                }
                return nop("EXPOSE " + String.join(" ", parts));
            }
            case "workdir" -> {
                String w = x(st, a.getFirst(), escape);
                String dir = Path.of(st.workdir()).resolve(w).normalize().toString();
                run.put("WorkingDir", dir);
                return nop("WORKDIR " + dir);
            }
            case "user" -> {
                String u = x(st, a.getFirst(), escape);
                run.put("User", u);
                return nop("USER " + u);
            }
            case "volume" -> {
                ObjectNode vols = run.has("Volumes") && run.get("Volumes").isObject()
                        ? (ObjectNode) run.get("Volumes") : run.putObject("Volumes");
                List<String> parts = new ArrayList<>();
                for (String w : a) {
                    String v = in.json() ? w : x(st, w, escape);
                    if (v.isBlank()) {
                        throw new DockerfileException("VOLUME specified can not be an empty string (line " + in.line() + ")");
                    }
                    vols.putObject(v);
                    parts.add(v);
                }
                return nop("VOLUME [" + String.join(" ", parts) + "]");
            }
            case "stopsignal" -> {
                String s = x(st, a.getFirst(), escape);
                try {
                    Signals.parse(s.isBlank() ? "0" : s);
                } catch (PouchException e) {
                    throw new DockerfileException("Invalid signal: " + s + " (STOPSIGNAL on line " + in.line() + ")");
                }
                run.put("StopSignal", s);
                return nop("STOPSIGNAL " + s);
            }
            case "healthcheck" -> {
                healthcheck(run, in);
                return nop(in.original());
            }
            case "cmd" -> {
                run.set("Cmd", strings(command(st, in)));
                st.cmdSet = true;
                return nop("CMD " + render(command(st, in)));
            }
            case "entrypoint" -> {
                List<String> ep = command(st, in);
                run.set("Entrypoint", strings(ep));
                if (!st.cmdSet) {
                    run.remove("Cmd");
                }
                return nop("ENTRYPOINT " + render(ep));
            }
            case "shell" -> {
                run.set("Shell", strings(a));
                return nop("SHELL " + render(a));
            }
            case "onbuild" -> {
                // kept as written, as the classic builder records it; it is parsed again when it runs
                String t = a.isEmpty() ? "" : a.getFirst();
                ArrayNode ob = run.has("OnBuild") && run.get("OnBuild").isArray()
                        ? (ArrayNode) run.get("OnBuild") : run.putArray("OnBuild");
                ob.add(t);
                return nop("ONBUILD " + t);
            }
            case "maintainer" -> {
                st.image.put("author", a.isEmpty() ? "" : a.getFirst());
                return nop("MAINTAINER " + (a.isEmpty() ? "" : a.getFirst()));
            }
            case "arg" -> {
                List<String> parts = new ArrayList<>();
                for (String w : a) {
                    int eq = w.indexOf('=');
                    String name = eq < 0 ? w : w.substring(0, eq);
                    String dflt = eq < 0 ? null : x(st, w.substring(eq + 1), escape);
                    String v = buildArgs.containsKey(name) && buildArgs.get(name) != null ? buildArgs.get(name)
                            : dflt != null ? dflt : st.args.get(name);
                    st.args.put(name, v);
                    parts.add(eq < 0 ? name : name + "=" + dflt);
                }
                return nop("ARG " + String.join(" ", parts));
            }
            default -> throw new IllegalArgumentException("not a config instruction: " + in.keyword());
        }
    }

    /** The command of RUN, CMD or ENTRYPOINT: the JSON array, or the shell form run by the stage's shell. */
    static List<String> command(Stage st, Instruction in) {
        if (in.json()) {
            return in.args();
        }
        List<String> c = new ArrayList<>(st.shell());
        c.add(in.args().isEmpty() ? "" : in.args().getFirst());
        return c;
    }

    static String x(Stage st, String word, char escape) {
        try {
            return ShellWords.expand(word, st::variable, escape);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(e.getMessage());
        }
    }

    private static String nop(String what) {
        return "/bin/sh -c #(nop)  " + what;
    }

    private static String render(List<String> l) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            b.append(i == 0 ? "" : " ").append('"').append(l.get(i)).append('"');
        }
        return b.append(']').toString();
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        l.forEach(a::add);
        return a;
    }

    private static List<String> ports(String spec, int line) {
        Matcher m = PORT.matcher(spec);
        if (!m.matches()) {
            throw new DockerfileException("Invalid containerPort: " + spec + " (EXPOSE on line " + line + ")");
        }
        int from = Integer.parseInt(m.group(1));
        int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
        String proto = m.group(3) == null ? "tcp" : m.group(3);
        if (to < from || to > 65535) {
            throw new DockerfileException("Invalid range specified for the Port: " + spec);
        }
        List<String> out = new ArrayList<>();
        for (int p = from; p <= to; p++) {
            out.add(p + "/" + proto);
        }
        return out;
    }

    private static void healthcheck(ObjectNode run, Instruction in) {
        String rest = in.args().isEmpty() ? "" : in.args().getFirst().strip();
        int sp = rest.indexOf(' ');
        String type = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(Locale.ROOT);
        ObjectNode hc = run.putObject("Healthcheck");
        if (type.equals("NONE")) {
            if (sp >= 0 || !in.flags().isEmpty()) {
                throw new DockerfileException("HEALTHCHECK NONE takes no arguments (line " + in.line() + ")");
            }
            hc.putArray("Test").add("NONE");
            return;
        }
        if (!type.equals("CMD") || sp < 0) {
            throw new DockerfileException("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD) (line " + in.line() + ")");
        }
        String cmd = rest.substring(sp).strip();
        ArrayNode test = hc.putArray("Test");
        List<String> json = cmd.startsWith("[") ? jsonArray(cmd) : null;
        if (json != null) {
            test.add("CMD");
            json.forEach(test::add);
        } else {
            test.add("CMD-SHELL");
            test.add(cmd);
        }
        for (Map.Entry<String, String> f : in.flags().entrySet()) {
            switch (f.getKey()) {
                case "interval" -> hc.put("Interval", duration(f.getValue(), "interval"));
                case "timeout" -> hc.put("Timeout", duration(f.getValue(), "timeout"));
                case "start-period" -> hc.put("StartPeriod", duration(f.getValue(), "start-period"));
                case "retries" -> {
                    try {
                        int r = Integer.parseInt(f.getValue());
                        if (r < 1) {
                            throw new DockerfileException("--retries must be at least 1 (not " + r + ") (line "
                                    + in.line() + ")");
                        }
                        hc.put("Retries", r);
                    } catch (NumberFormatException e) {
                        throw new DockerfileException("--retries must be a whole number, not " + f.getValue());
                    }
                }
                default -> throw new DockerfileException("unknown flag: --" + f.getKey());
            }
        }
    }

    private static List<String> jsonArray(String s) {
        try {
            return Json.MAPPER.readValue(s,
                    new TypeReference<List<String>>() {
                    });
        } catch (IOException e) {
            return null;
        }
    }

    /** A Go duration ({@code 30s}, {@code 1m30s}, {@code 500ms}) in nanoseconds. */
    static long duration(String s, String flag) {
        Matcher m = DURATION_PART.matcher(s);
        long total = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double v = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            total += (long) (v * unit);
            end = m.end();
        }
        if (end != s.length() || s.isEmpty()) {
            throw new DockerfileException("--" + flag + ": invalid duration " + s);
        }
        if (total != 0 && total < 1_000_000L) {
            // Docker's minimum for each of the healthcheck's durations (0 keeps the default)
            throw new DockerfileException("Interval \"" + flag + "\" cannot be less than 1ms");
        }
        return total;
    }
}
