package io.pouch.api.build;

import java.util.regex.Pattern;

/**
 * Go's filepath.Match patterns as Docker uses them (COPY sources, {@code .dockerignore}): {@code *} and {@code ?}
 * stop at {@code /}, {@code [...]} classes ({@code [^...]} or {@code [!...]} negated), the backslash escapes; and
 * {@code .dockerignore}'s {@code **}, any number of directories.
 */
public final class Globs {
    private Globs() {
    }

    public static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
    }

    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                            i++;
                            re.append("(?:.*/)?");
                        } else {
                            re.append(".*");
                        }
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("syntax error in pattern " + glob);
                    }
                    String cls = glob.substring(i + 1, end);
                    if (cls.startsWith("!")) {
                        cls = "^" + cls.substring(1);
                    }
                    re.append('[').append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                    i = end;
                }
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
