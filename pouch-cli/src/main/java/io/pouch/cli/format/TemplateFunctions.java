package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.pouch.cli.format.GoValues.display;
import static io.pouch.cli.format.GoValues.truth;

/** The template functions docker adds (json, join, split, lower, upper, title, truncate, pad) and Go's builtins. */
final class TemplateFunctions {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private TemplateFunctions() {
    }

    /** Calls the function {@code name}; a value piped in is the last argument, as in Go. */
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
                yield split(display(a.get(0)), display(a.get(1)));
            }
            case "lower" -> TextNode.valueOf(display(one(name, a)).toLowerCase(Locale.ROOT));
            case "upper" -> TextNode.valueOf(display(one(name, a)).toUpperCase(Locale.ROOT));
            case "title" -> TextNode.valueOf(title(display(one(name, a))));
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
                yield TextNode.valueOf(GoPrintf.format(display(a.get(0)), a.subList(1, a.size())));
            }
            case "print", "println" -> TextNode.valueOf(print(name.equals("println"), a));
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
                yield firstDeciding(name.equals("and"), a);
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

    /** Go's strings.Split: an empty separator splits into single characters. */
    private static ArrayNode split(String text, String sep) {
        ArrayNode arr = F.arrayNode();
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
        return arr;
    }

    /** Upper-cases the first letter of every word; a word starts after any character not a letter or digit. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean start = true;
        for (char c : s.toCharArray()) {
            sb.append(start ? Character.toUpperCase(c) : c);
            start = !Character.isLetterOrDigit(c);
        }
        return sb.toString();
    }

    /** print puts spaces only between two operands that are not strings; println between all, plus a newline. */
    private static String print(boolean line, List<JsonNode> a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            boolean space = line ? i > 0 : i > 0 && !a.get(i).isTextual() && !a.get(i - 1).isTextual();
            sb.append(space ? " " : "").append(display(a.get(i)));
        }
        return line ? sb + "\n" : sb.toString();
    }

    /** and/or: the first argument that decides the result (false for and, true for or), else the last one. */
    private static JsonNode firstDeciding(boolean and, List<JsonNode> a) {
        JsonNode last = a.get(0);
        for (JsonNode v : a) {
            last = v;
            if (and != truth(v)) {
                break;
            }
        }
        return last;
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
}
