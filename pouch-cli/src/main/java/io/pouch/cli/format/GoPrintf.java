package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;

/**
 * The template function {@code printf}: Go's verbs {@code %v %s %d %q %f %g %e} and {@code %%}, with flags and
 * widths, mapped onto Java's formatter. A verb without an argument prints the missing value.
 */
final class GoPrintf {
    private static final String FLAGS_AND_WIDTH = "-+ 0#.123456789";

    private GoPrintf() {
    }

    static String format(String format, List<JsonNode> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            int j = i + 1;
            while (j < format.length() && FLAGS_AND_WIDTH.indexOf(format.charAt(j)) >= 0) {
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
                case 'q' -> out.append(String.format("%" + flags + "s",
                        GoJson.compact(TextNode.valueOf(GoValues.display(v)))));
                default -> out.append(String.format("%" + flags + "s", GoValues.display(v)));
            }
        }
        return out.toString();
    }
}
