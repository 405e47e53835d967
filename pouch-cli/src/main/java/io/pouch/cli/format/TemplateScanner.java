package io.pouch.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a template's text into plain text and {@code {{action}}} sources, applying the {@code {{- }} and
 * {@code  -}}} markers that trim the white space next to them. A {@code }}} inside a quoted string does not
 * close the action.
 */
final class TemplateScanner {

    /** A piece of the template: text to copy, or the stripped source between {@code {{ }}}. */
    sealed interface Item {
    }

    record TextItem(String text) implements Item {
    }

    record ActionItem(String code) implements Item {
    }

    private TemplateScanner() {
    }

    static List<Item> scan(String text) {
        List<Item> items = new ArrayList<>();
        int i = 0;
        boolean trimNext = false;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                addText(items, text.substring(i), trimNext, false);
                break;
            }
            boolean trimPrev = text.startsWith("{{- ", open);
            addText(items, text.substring(i, open), trimNext, trimPrev);
            int start = open + (trimPrev ? 3 : 2);
            int close = findClose(text, start);
            boolean trimAfter = close - 2 >= start && text.startsWith(" -", close - 2);
            String code = text.substring(start, trimAfter ? close - 2 : close);
            items.add(new ActionItem(code.strip()));
            trimNext = trimAfter;
            i = close + 2;
        }
        return items;
    }

    private static void addText(List<Item> items, String s, boolean trimLeading, boolean trimTrailing) {
        if (trimLeading) {
            s = s.stripLeading();
        }
        if (trimTrailing) {
            s = s.stripTrailing();
        }
        if (!s.isEmpty()) {
            items.add(new TextItem(s));
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
}
