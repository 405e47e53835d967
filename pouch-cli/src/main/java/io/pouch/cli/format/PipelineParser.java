package io.pouch.cli.format;

import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pouch.cli.format.TemplateNode.Arg;
import io.pouch.cli.format.TemplateNode.Field;
import io.pouch.cli.format.TemplateNode.Ident;
import io.pouch.cli.format.TemplateNode.Literal;
import io.pouch.cli.format.TemplateNode.Pipe;
import io.pouch.cli.format.TemplateNode.Sub;
import io.pouch.cli.format.TemplateNode.Var;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokenizes and parses the pipeline inside one action: optional variable declarations ({@code $a, $b :=}),
 * then commands separated by {@code |}, each a list of fields, variables, literals, function names and
 * parenthesised sub-pipelines.
 */
final class PipelineParser {
    private final String s;
    private int i;

    private PipelineParser(String s) {
        this.s = s;
    }

    static Pipe parse(String code) {
        return new PipelineParser(code).pipe(false);
    }

    private Pipe pipe(boolean inParens) {
        List<String> decl = declarations();
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

    /** The variables before {@code :=}; none (and the position unchanged) when the pipeline declares none. */
    private List<String> declarations() {
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
        return decl;
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
            return number();
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

    private Literal number() {
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
