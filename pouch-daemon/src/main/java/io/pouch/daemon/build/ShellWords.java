package io.pouch.daemon.build;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Docker's Dockerfile word rules (its shell lexer): words split on unquoted whitespace; then, per word, quotes
 * removed, the escape character escaping the next character, and {@code $v}, {@code ${v}}, {@code ${v:-word}},
 * {@code ${v:+word}} (and the colon-less {@code ${v-word}}, {@code ${v+word}}) replaced from the build's variables.
 * Single quotes keep everything literal; inside double quotes the escape character only escapes {@code "}, {@code $}
 * and itself.
 */
public final class ShellWords {
    private ShellWords() {
    }

    /** The words of {@code s}, split on whitespace outside quotes; quotes and escapes are kept for the expansion. */
    public static List<String> split(String s, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            w.append(c);
            if (c == escape && quote != '\'' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /**
     * {@code word} with quotes removed and variables replaced; {@code vars} gives a variable's value or null when
     * it is not set. A bad substitution is an {@link IllegalArgumentException} naming it.
     */
    public static String expand(String word, Function<String, String> vars, char escape) {
        Lexer l = new Lexer(word, vars, escape);
        String out = l.until((char) 0);
        if (l.pos < word.length()) {
            throw new IllegalArgumentException("unexpected '" + word.charAt(l.pos) + "' in " + word);
        }
        return out;
    }

    private static final class Lexer {
        private final String s;
        private final Function<String, String> vars;
        private final char escape;
        private int pos;

        Lexer(String s, Function<String, String> vars, char escape) {
            this.s = s;
            this.vars = vars;
            this.escape = escape;
        }

        /** Reads up to {@code stop} (not consumed; 0: the end), outside quotes. */
        String until(char stop) {
            StringBuilder out = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (stop != 0 && c == stop) {
                    return out.toString();
                }
                pos++;
                if (c == '\'') {
                    int end = s.indexOf('\'', pos);
                    if (end < 0) {
                        throw new IllegalArgumentException("unexpected end of statement while looking for matching single-quote in " + s);
                    }
                    out.append(s, pos, end);
                    pos = end + 1;
                } else if (c == '"') {
                    doubleQuoted(out);
                } else if (c == escape) {
                    if (pos < s.length()) {
                        out.append(s.charAt(pos++));
                    }
                } else if (c == '$') {
                    out.append(dollar());
                } else {
                    out.append(c);
                }
            }
            if (stop != 0) {
                throw new IllegalArgumentException("missing '" + stop + "' in " + s);
            }
            return out.toString();
        }

        private void doubleQuoted(StringBuilder out) {
            while (pos < s.length()) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return;
                }
                if (c == '$') {
                    out.append(dollar());
                } else if (c == escape && pos < s.length()
                        && (s.charAt(pos) == '"' || s.charAt(pos) == '$' || s.charAt(pos) == escape)) {
                    out.append(s.charAt(pos++));
                } else {
                    out.append(c);
                }
            }
            throw new IllegalArgumentException("unexpected end of statement while looking for matching double-quote in " + s);
        }

        /** After a {@code $}: the substitution's value, or the {@code $} itself when no name follows. */
        private String dollar() {
            if (pos >= s.length()) {
                return "$";
            }
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                String name = name();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("bad substitution: no variable name in " + s);
                }
                if (pos >= s.length()) {
                    throw new IllegalArgumentException("missing '}' in " + s);
                }
                char m = s.charAt(pos++);
                if (m == '}') {
                    return valueOf(name);
                }
                boolean colon = m == ':';
                if (colon) {
                    if (pos >= s.length()) {
                        throw new IllegalArgumentException("missing '}' in " + s);
                    }
                    m = s.charAt(pos++);
                }
                if (m != '-' && m != '+') {
                    throw new IllegalArgumentException("unsupported modifier (" + (colon ? ":" : "") + m
                            + ") in substitution ${" + name + "...} in " + s);
                }
                String word = until('}');
                pos++;
                String v = vars.apply(name);
                boolean set = colon ? v != null && !v.isEmpty() : v != null;
                if (m == '-') {
                    return set ? v : word;
                }
                return set ? word : "";
            }
            if (Character.isLetterOrDigit(c) || c == '_') {
                return valueOf(name());
            }
            return "$";
        }

        private String name() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private String valueOf(String name) {
            String v = vars.apply(name);
            return v == null ? "" : v;
        }
    }
}
