package io.pouch.cli.format;

import io.pouch.cli.format.TemplateNode.Action;
import io.pouch.cli.format.TemplateNode.Branch;
import io.pouch.cli.format.TemplateNode.Pipe;
import io.pouch.cli.format.TemplateNode.Text;
import io.pouch.cli.format.TemplateScanner.ActionItem;
import io.pouch.cli.format.TemplateScanner.Item;
import io.pouch.cli.format.TemplateScanner.TextItem;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the tree of a template from the scanner's items: nests if/range/with bodies up to their
 * {@code {{end}}}, with {@code {{else}}} and {@code {{else if ...}}}; each action's pipeline is parsed by
 * {@link PipelineParser}. Comment actions, which start with {@code /*}, are skipped.
 */
final class TemplateParser {
    private final List<Item> items;
    private int pos;

    private TemplateParser(List<Item> items) {
        this.items = items;
    }

    static List<TemplateNode> parse(String text) {
        TemplateParser parser = new TemplateParser(TemplateScanner.scan(text));
        List<TemplateNode> nodes = new ArrayList<>();
        String stop = parser.parseList(nodes);
        if (stop != null) {
            throw new TemplateException("template: unexpected {{" + stop + "}}");
        }
        return nodes;
    }

    /** Parses until {{end}} or {{else...}}; returns that keyword's source, or null at the end of the text. */
    private String parseList(List<TemplateNode> into) {
        while (pos < items.size()) {
            Item item = items.get(pos++);
            if (item instanceof TextItem t) {
                into.add(new Text(t.text()));
                continue;
            }
            String code = ((ActionItem) item).code();
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
                    into.add(new Action(PipelineParser.parse(code)));
                }
            }
        }
        return null;
    }

    private Branch branch(String kind, String rest) {
        Pipe pipe = PipelineParser.parse(rest);
        List<TemplateNode> body = new ArrayList<>();
        String stop = parseList(body);
        if (stop == null) {
            throw new TemplateException("template: unexpected EOF: missing {{end}} for {{" + kind + "}}");
        }
        List<TemplateNode> orElse = new ArrayList<>();
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

    /** The keyword an action starts with, "expr" for any other action, "" for an empty one. */
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
