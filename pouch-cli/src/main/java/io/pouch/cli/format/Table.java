package io.pouch.cli.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated lines the way docker's output does (Go's text/tabwriter with minwidth 10, padding 3,
 * padchar ' '): every cell followed by a tab is padded to its column's width; the last cell of a line is not.
 */
public final class Table {
    private static final int MIN_WIDTH = 10;
    private static final int PADDING = 3;

    private Table() {
    }

    public static String align(String text) {
        boolean trailingNewline = text.endsWith("\n");
        String[] lines = text.split("\n", -1);
        int count = trailingNewline ? lines.length - 1 : lines.length;
        List<String[]> rows = new ArrayList<>();
        int maxCells = 0;
        for (int i = 0; i < count; i++) {
            String[] cells = lines[i].split("\t", -1);
            rows.add(cells);
            maxCells = Math.max(maxCells, cells.length);
        }
        int[] widths = new int[maxCells];
        for (String[] cells : rows) {
            for (int c = 0; c < cells.length - 1; c++) {
                widths[c] = Math.max(widths[c], Math.max(MIN_WIDTH, width(cells[c]) + PADDING));
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] cells = rows.get(r);
            for (int c = 0; c < cells.length; c++) {
                out.append(cells[c]);
                if (c < cells.length - 1) {
                    out.append(" ".repeat(widths[c] - width(cells[c])));
                }
            }
            if (r < rows.size() - 1 || trailingNewline) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
