package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of Go's text/template that {@code --format} flags use, evaluated over JSON (what the daemon sent).
 * No Java library implements Go templates, so this is a deliberately small one: text and {@code {{actions}}}
 * with {@code {{-}}} trimming; fields {@code .A.B}, {@code .}, {@code $}, variables ({@code $v := ...},
 * {@code range $k, $v := ...}); string, number and bool literals; pipelines {@code a | b} and parentheses;
 * {@code if/else if/else}, {@code range/else}, {@code with/else}, {@code end}; functions json, join, split, lower,
 * upper, title, len, index, printf, print, println, eq, ne, lt, le, gt, ge, not, and, or, truncate, pad.
 * Not supported: template/define/block, comments, method calls, {@code break/continue}.
 *
 * <p>Values print like Go's fmt with maps: a missing field is {@code <no value>}, JSON null {@code <nil>}, objects
 * {@code map[k:v ...]} with sorted keys, arrays {@code [a b]}.
 */
public final class GoTemplate {
    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    public static GoTemplate parse(String text) {
        return new GoTemplate(new Parser(text).parseAll());
    }

    public String execute(JsonNode data) {
        StringBuilder out = new StringBuilder();
        Map<String, JsonNode> vars = new HashMap<>();
        vars.put("$", data);
        run(nodes, data, vars, out);
        return out.toString();
    }

    // ---- tree ----

    private sealed interface Node permits Text, Action, Branch {
    }

    private record Text(String text) implements Node {
    }

    private record Action(Pipe pipe) implements Node {
    }

    /** if, range and with: a pipeline, a body, and what runs otherwise. */
    private record Branch(String kind, Pipe pipe, List<Node> body, List<Node> orElse) implements Node {
    }

    private record Pipe(List<String> decl, List<List<Arg>> commands) {
    }

    private sealed interface Arg permits Field, Var, Literal, Ident, Sub {
    }

    private record Field(List<String> chain) implements Arg {
    }

    private record Var(String name, List<String> chain) implements Arg {
    }

    private record Literal(JsonNode value) implements Arg {
    }

    private record Ident(String name) implements Arg {
    }

    private record Sub(Pipe pipe) implements Arg {
    }

    // ---- parsing ----

    private static final class Parser {
        private final List<Object> items = new ArrayList<>(); // String text or Action source (char[] marker below)
        private int pos;

        Parser(String text) {
            split(text);
        }

        private record Src(String code) {
        }

        private void split(String text) {
            int i = 0;
            boolean trimNext = false;
            while (i < text.length()) {
                int open = text.indexOf("{{", i);
                if (open < 0) {
                    addText(text.substring(i), trimNext, false);
                    break;
                }
                boolean trimPrev = text.startsWith("{{- ", open);
                String before = text.substring(i, open);
                addText(before, trimNext, trimPrev);
                int start = open + (trimPrev ? 3 : 2);
                int close = findClose(text, start);
                boolean trimAfter = close - 2 >= start && text.startsWith(" -", close - 2);
                String code = text.substring(start, trimAfter ? close - 2 : close);
                items.add(new Src(code.strip()));
                trimNext = trimAfter;
                i = close + 2;
            }
        }

        private void addText(String s, boolean trimLeading, boolean trimTrailing) {
            if (trimLeading) {
                s = s.stripLeading();
            }
            if (trimTrailing) {
                s = s.stripTrailing();
            }
            if (!s.isEmpty()) {
                items.add(s);
            }
        }

        private static int findClose(String text, int from) {
            char quote = 0;
            for (int i = from; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quote != 0) {
                    if (c == '\\' && quote == '"') {
                        i++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '`') {
                    quote = c;
                } else if (text.startsWith("}}", i)) {
                    return i;
                }
            }
            throw new TemplateException("template: unclosed action");
        }

        List<Node> parseAll() {
            List<Node> nodes = new ArrayList<>();
            String stop = parseList(nodes);
            if (stop != null) {
                throw new TemplateException("template: unexpected {{" + stop + "}}");
            }
            return nodes;
        }

        /** Parses until {{end}} or {{else...}}; returns that keyword's source, or null at the end of the text. */
        private String parseList(List<Node> into) {
            while (pos < items.size()) {
                Object item = items.get(pos++);
                if (item instanceof String s) {
                    into.add(new Text(s));
                    continue;
                }
                String code = ((Src) item).code();
                String word = firstWord(code);
                switch (word) {
                    case "end", "else" -> {
                        return code;
                    }
                    case "if", "range", "with" -> into.add(branch(word, code.substring(word.length())));
                    case "" -> throw new TemplateException("template: missing value for command");
                    default -> {
                        if (code.startsWith("/*")) {
                            continue;
                        }
                        into.add(new Action(new Tokens(code).pipe(false)));
                    }
                }
            }
            return null;
        }

        private Branch branch(String kind, String rest) {
            Pipe pipe = new Tokens(rest).pipe(false);
            List<Node> body = new ArrayList<>();
            String stop = parseList(body);
            if (stop == null) {
                throw new TemplateException("template: unexpected EOF: missing {{end}} for {{" + kind + "}}");
            }
            List<Node> orElse = new ArrayList<>();
            if (!stop.equals("end")) { // else, or else if ...
                String after = stop.substring("else".length()).strip();
                if (after.isEmpty()) {
                    String end = parseList(orElse);
                    if (!"end".equals(end)) {
                        throw new TemplateException("template: expected {{end}} after {{else}}");
                    }
                } else {
                    String inner = firstWord(after);
                    if (!inner.equals("if") && !inner.equals("with")) {
                        throw new TemplateException("template: unexpected {{" + stop + "}}");
                    }
                    orElse.add(branch(inner, after.substring(inner.length())));
                }
            }
            return new Branch(kind, pipe, body, orElse);
        }

        private static String firstWord(String code) {
            int i = 0;
            while (i < code.length() && Character.isLetter(code.charAt(i))) {
                i++;
            }
            String w = code.substring(0, i);
            return switch (w) {
                case "if", "range", "with", "end", "else" -> w;
                default -> code.isEmpty() ? "" : "expr";
            };
        }
    }

    /** Tokenizes and parses one action's pipeline. */
    private static final class Tokens {
        private final String s;
        private int i;

        Tokens(String s) {
            this.s = s;
        }

        Pipe pipe(boolean inParens) {
            List<String> decl = new ArrayList<>();
            int save = i;
            skipSpace();
            while (peek() == '$') {
                String name = varName();
                skipSpace();
                decl.add(name);
                if (peek() == ',') {
                    i++;
                    skipSpace();
                    continue;
                }
                break;
            }
            skipSpace();
            if (!decl.isEmpty() && s.startsWith(":=", i)) {
                i += 2;
            } else {
                decl.clear();
                i = save;
            }
            List<List<Arg>> commands = new ArrayList<>();
            List<Arg> current = new ArrayList<>();
            while (true) {
                skipSpace();
                if (i >= s.length()) {
                    if (inParens) {
                        throw new TemplateException("template: unclosed left paren");
                    }
                    break;
                }
                char c = s.charAt(i);
                if (c == ')') {
                    if (!inParens) {
                        throw new TemplateException("template: unexpected right paren");
                    }
                    i++;
                    break;
                }
                if (c == '|') {
                    i++;
                    if (current.isEmpty()) {
                        throw new TemplateException("template: missing command before |");
                    }
                    commands.add(current);
                    current = new ArrayList<>();
                    continue;
                }
                current.add(arg());
            }
            if (current.isEmpty()) {
                throw new TemplateException("template: missing value for command");
            }
            commands.add(current);
            return new Pipe(decl, commands);
        }

        private Arg arg() {
            char c = s.charAt(i);
            if (c == '(') {
                i++;
                return new Sub(pipe(true));
            }
            if (c == '"') {
                return new Literal(TextNode.valueOf(quoted()));
            }
            if (c == '`') {
                int end = s.indexOf('`', i + 1);
                String raw = s.substring(i + 1, end);
                i = end + 1;
                return new Literal(TextNode.valueOf(raw));
            }
            if (c == '.') {
                return new Field(chain());
            }
            if (c == '$') {
                String name = varName();
                return new Var(name, peek() == '.' ? chain() : List.of());
            }
            if (Character.isDigit(c) || (c == '-' || c == '+') && i + 1 < s.length()
                    && Character.isDigit(s.charAt(i + 1))) {
                int start = i++;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
                String num = s.substring(start, i);
                try {
                    return new Literal(num.contains(".") ? DoubleNode.valueOf(Double.parseDouble(num))
                            : LongNode.valueOf(Long.parseLong(num)));
                } catch (NumberFormatException e) {
                    throw new TemplateException("template: bad number syntax: " + num);
                }
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                String word = s.substring(start, i);
                return switch (word) {
                    case "true" -> new Literal(BooleanNode.TRUE);
                    case "false" -> new Literal(BooleanNode.FALSE);
                    case "nil" -> new Literal(NullNode.getInstance());
                    default -> new Ident(word);
                };
            }
            throw new TemplateException("template: unexpected \"" + c + "\" in command");
        }

        private List<String> chain() {
            List<String> names = new ArrayList<>();
            while (peek() == '.') {
                i++;
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                if (i > start) {
                    names.add(s.substring(start, i));
                } else if (!names.isEmpty()) {
                    throw new TemplateException("template: bad field name");
                }
            }
            return names;
        }

        private String varName() {
            int start = i++;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            return s.substring(start, i);
        }

        private String quoted() {
            StringBuilder sb = new StringBuilder();
            i++;
            while (i < s.length() && s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\' && i < s.length()) {
                    char e = s.charAt(i++);
                    sb.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> e;
                    });
                } else {
                    sb.append(c);
                }
            }
            if (i >= s.length()) {
                throw new TemplateException("template: unterminated quoted string");
            }
            i++;
            return sb.toString();
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : 0;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }

    // ---- evaluation ----

    private static void run(List<Node> nodes, JsonNode dot, Map<String, JsonNode> vars, StringBuilder out) {
        for (Node node : nodes) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Action a -> {
                    JsonNode v = pipe(a.pipe(), dot, vars);
                    if (a.pipe().decl().isEmpty()) {
                        out.append(display(v));
                    }
                }
                case Branch b -> branch(b, dot, vars, out);
            }
        }
    }

    private static void branch(Branch b, JsonNode dot, Map<String, JsonNode> vars, StringBuilder out) {
        Map<String, JsonNode> scope = new HashMap<>(vars);
        if (b.kind().equals("range")) {
            Pipe bare = new Pipe(List.of(), b.pipe().commands());
            JsonNode v = pipe(bare, dot, scope);
            List<String> decl = b.pipe().decl();
            boolean any = false;
            if (v.isArray()) {
                for (int idx = 0; idx < v.size(); idx++) {
                    any = true;
                    iterate(b, LongNode.valueOf(idx), v.get(idx), decl, scope, out);
                }
            } else if (v.isObject()) {
                for (Map.Entry<String, JsonNode> e : sortedFields(v).entrySet()) {
                    any = true;
                    iterate(b, TextNode.valueOf(e.getKey()), e.getValue(), decl, scope, out);
                }
            } else if (!v.isMissingNode() && !v.isNull()) {
                throw new TemplateException("template: range can't iterate over " + display(v));
            }
            if (!any) {
                run(b.orElse(), dot, scope, out);
            }
            return;
        }
        JsonNode v = pipe(b.pipe(), dot, scope);
        if (truth(v)) {
            run(b.body(), b.kind().equals("with") ? v : dot, scope, out);
        } else {
            run(b.orElse(), dot, scope, out);
        }
    }

    private static void iterate(Branch b, JsonNode key, JsonNode value, List<String> decl,
                                Map<String, JsonNode> scope, StringBuilder out) {
        Map<String, JsonNode> inner = new HashMap<>(scope);
        if (decl.size() == 1) {
            inner.put(decl.get(0), value);
        } else if (decl.size() >= 2) {
            inner.put(decl.get(0), key);
            inner.put(decl.get(1), value);
        }
        run(b.body(), value, inner, out);
    }

    private static JsonNode pipe(Pipe pipe, JsonNode dot, Map<String, JsonNode> vars) {
        JsonNode result = null;
        for (List<Arg> command : pipe.commands()) {
            result = command(command, dot, vars, result);
        }
        for (String name : pipe.decl()) {
            vars.put(name, result);
        }
        return result;
    }

    private static JsonNode command(List<Arg> args, JsonNode dot, Map<String, JsonNode> vars, JsonNode piped) {
        Arg first = args.get(0);
        if (first instanceof Ident fn) {
            List<JsonNode> values = new ArrayList<>();
            for (Arg a : args.subList(1, args.size())) {
                values.add(value(a, dot, vars));
            }
            if (piped != null) {
                values.add(piped);
            }
            return Functions.call(fn.name(), values);
        }
        if (args.size() > 1 || piped != null) {
            throw new TemplateException("template: can't give argument to non-function " + first);
        }
        return value(first, dot, vars);
    }

    private static JsonNode value(Arg arg, JsonNode dot, Map<String, JsonNode> vars) {
        return switch (arg) {
            case Field f -> walk(dot, f.chain());
            case Var v -> {
                JsonNode base = vars.get(v.name());
                if (base == null) {
                    throw new TemplateException("template: undefined variable: " + v.name());
                }
                yield walk(base, v.chain());
            }
            case Literal l -> l.value();
            case Sub s -> pipe(s.pipe(), dot, new HashMap<>(vars));
            case Ident i -> Functions.call(i.name(), List.of());
        };
    }

    private static JsonNode walk(JsonNode node, List<String> chain) {
        for (String name : chain) {
            if (node == null || !node.isObject()) {
                return MissingNode.getInstance();
            }
            node = node.get(name);
        }
        return node == null ? MissingNode.getInstance() : node;
    }

    static boolean truth(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return v.size() > 0;
    }

    /** How Go's fmt prints a value of a map[string]interface{} decoded from JSON. */
    static String display(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "<no value>";
        }
        if (v.isNull()) {
            return "<nil>";
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber()) {
            if (v.isIntegralNumber()) {
                return v.asText();
            }
            double d = v.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e21) {
                return Long.toString((long) d);
            }
            return Double.toString(d);
        }
        if (v.isArray()) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.size(); i++) {
                sb.append(i == 0 ? "" : " ").append(display(v.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v.isObject()) {
            StringBuilder sb = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<String, JsonNode> e : sortedFields(v).entrySet()) {
                sb.append(first ? "" : " ").append(e.getKey()).append(':').append(display(e.getValue()));
                first = false;
            }
            return sb.append(']').toString();
        }
        return v.asText();
    }

    private static Map<String, JsonNode> sortedFields(JsonNode v) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }

    /** The template functions docker adds plus Go's builtins we support. */
    private static final class Functions {
        private static final JsonNodeFactory F = JsonNodeFactory.instance;

        static JsonNode call(String name, List<JsonNode> a) {
            return switch (name) {
                case "json" -> {
                    need(name, a, 1);
                    JsonNode v = a.get(0);
                    yield TextNode.valueOf(v.isMissingNode() ? "null" : GoJson.compact(v));
                }
                case "join" -> {
                    need(name, a, 2);
                    List<String> parts = new ArrayList<>();
                    a.get(0).forEach(e -> parts.add(display(e)));
                    yield TextNode.valueOf(String.join(display(a.get(1)), parts));
                }
                case "split" -> {
                    need(name, a, 2);
                    ArrayNode arr = F.arrayNode();
                    String sep = display(a.get(1));
                    String text = display(a.get(0));
                    if (sep.isEmpty()) {
                        text.codePoints().forEach(cp -> arr.add(new String(Character.toChars(cp))));
                    } else {
                        int from = 0;
                        int at;
                        while ((at = text.indexOf(sep, from)) >= 0) {
                            arr.add(text.substring(from, at));
                            from = at + sep.length();
                        }
                        arr.add(text.substring(from));
                    }
                    yield arr;
                }
                case "lower" -> TextNode.valueOf(display(one(name, a)).toLowerCase(Locale.ROOT));
                case "upper" -> TextNode.valueOf(display(one(name, a)).toUpperCase(Locale.ROOT));
                case "title" -> {
                    String s = display(one(name, a));
                    StringBuilder sb = new StringBuilder();
                    boolean start = true;
                    for (char c : s.toCharArray()) {
                        sb.append(start ? Character.toUpperCase(c) : c);
                        start = !Character.isLetterOrDigit(c);
                    }
                    yield TextNode.valueOf(sb.toString());
                }
                case "len" -> {
                    JsonNode v = one(name, a);
                    if (v.isTextual()) {
                        yield LongNode.valueOf(v.textValue().length());
                    }
                    if (v.isContainerNode()) {
                        yield LongNode.valueOf(v.size());
                    }
                    throw new TemplateException("template: len of " + display(v));
                }
                case "index" -> {
                    if (a.isEmpty()) {
                        throw new TemplateException("template: wrong number of args for index");
                    }
                    JsonNode v = a.get(0);
                    for (JsonNode k : a.subList(1, a.size())) {
                        v = v.isArray() ? v.path(k.asInt()) : v.path(display(k));
                    }
                    yield v;
                }
                case "printf" -> {
                    if (a.isEmpty()) {
                        throw new TemplateException("template: wrong number of args for printf");
                    }
                    yield TextNode.valueOf(printf(display(a.get(0)), a.subList(1, a.size())));
                }
                case "print", "println" -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < a.size(); i++) {
                        boolean space = name.equals("println") ? i > 0
                                : i > 0 && !a.get(i).isTextual() && !a.get(i - 1).isTextual();
                        sb.append(space ? " " : "").append(display(a.get(i)));
                    }
                    yield TextNode.valueOf(name.equals("println") ? sb + "\n" : sb.toString());
                }
                case "eq" -> {
                    if (a.size() < 2) {
                        throw new TemplateException("template: wrong number of args for eq");
                    }
                    boolean any = false;
                    for (JsonNode other : a.subList(1, a.size())) {
                        any |= same(a.get(0), other);
                    }
                    yield BooleanNode.valueOf(any);
                }
                case "ne" -> {
                    need(name, a, 2);
                    yield BooleanNode.valueOf(!same(a.get(0), a.get(1)));
                }
                case "lt", "le", "gt", "ge" -> {
                    need(name, a, 2);
                    int c = compare(a.get(0), a.get(1));
                    yield BooleanNode.valueOf(switch (name) {
                        case "lt" -> c < 0;
                        case "le" -> c <= 0;
                        case "gt" -> c > 0;
                        default -> c >= 0;
                    });
                }
                case "not" -> BooleanNode.valueOf(!truth(one(name, a)));
                case "and", "or" -> {
                    if (a.isEmpty()) {
                        throw new TemplateException("template: wrong number of args for " + name);
                    }
                    JsonNode last = a.get(0);
                    for (JsonNode v : a) {
                        last = v;
                        if (name.equals("and") != truth(v)) {
                            break;
                        }
                    }
                    yield last;
                }
                case "truncate" -> {
                    need(name, a, 2);
                    String s = display(a.get(0));
                    int n = a.get(1).asInt();
                    yield TextNode.valueOf(s.length() > n ? s.substring(0, n) : s);
                }
                case "pad" -> {
                    need(name, a, 3);
                    yield TextNode.valueOf(" ".repeat(a.get(1).asInt()) + display(a.get(0))
                            + " ".repeat(a.get(2).asInt()));
                }
                default -> throw new TemplateException("template: function \"" + name + "\" not defined");
            };
        }

        private static boolean same(JsonNode x, JsonNode y) {
            if (x.isNumber() && y.isNumber()) {
                return x.doubleValue() == y.doubleValue();
            }
            return display(x).equals(display(y));
        }

        private static int compare(JsonNode x, JsonNode y) {
            if (x.isNumber() && y.isNumber()) {
                return Double.compare(x.doubleValue(), y.doubleValue());
            }
            return display(x).compareTo(display(y));
        }

        private static JsonNode one(String name, List<JsonNode> a) {
            need(name, a, 1);
            return a.get(0);
        }

        private static void need(String name, List<JsonNode> a, int n) {
            if (a.size() != n) {
                throw new TemplateException("template: wrong number of args for " + name + ": want " + n
                        + " got " + a.size());
            }
        }

        /** %v %s %d %q %f and %% with widths, mapped onto Java's formatter. */
        private static String printf(String format, List<JsonNode> args) {
            StringBuilder out = new StringBuilder();
            int argi = 0;
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c != '%' || i + 1 >= format.length()) {
                    out.append(c);
                    continue;
                }
                int j = i + 1;
                while (j < format.length() && "-+ 0#.123456789".indexOf(format.charAt(j)) >= 0) {
                    j++;
                }
                if (j >= format.length()) {
                    out.append(format, i, j);
                    break;
                }
                String flags = format.substring(i + 1, j);
                char verb = format.charAt(j);
                i = j;
                if (verb == '%') {
                    out.append('%');
                    continue;
                }
                JsonNode v = argi < args.size() ? args.get(argi++) : MissingNode.getInstance();
                switch (verb) {
                    case 'd' -> out.append(String.format("%" + flags + "d", v.asLong()));
                    case 'f', 'g', 'e' -> out.append(String.format("%" + flags + verb, v.asDouble()));
                    case 'q' -> out.append(String.format("%" + flags + "s", GoJson.compact(TextNode.valueOf(display(v)))));
                    default -> out.append(String.format("%" + flags + "s", display(v)));
                }
            }
            return out.toString();
        }
    }
}
