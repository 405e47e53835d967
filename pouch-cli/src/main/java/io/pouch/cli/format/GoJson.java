package io.pouch.cli.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.pouch.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON written the way Go's encoding/json writes it, so {@code inspect} and {@code {{json .}}} print what docker
 * prints: 4-space indentation, {@code "key": value}, {@code []} and {@code {}} for empty values, and
 * {@code < > &} escaped as {@code \u003c \u003e \u0026}.
 */
public final class GoJson {
    private static final ObjectWriter COMPACT;
    private static final ObjectWriter INDENTED;

    static {
        COMPACT = Json.MAPPER.writer().with(new HtmlEscapes());
        INDENTED = COMPACT.with(new GoPrettyPrinter());
    }

    private GoJson() {
    }

    public static String compact(JsonNode node) {
        try {
            return COMPACT.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String indented(JsonNode node) {
        try {
            return INDENTED.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class HtmlEscapes extends CharacterEscapes {
        private final int[] codes;

        HtmlEscapes() {
            codes = CharacterEscapes.standardAsciiEscapesForJSON();
            codes['<'] = ESCAPE_CUSTOM;
            codes['>'] = ESCAPE_CUSTOM;
            codes['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return codes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<' -> new SerializedString("\\u003c");
                case '>' -> new SerializedString("\\u003e");
                case '&' -> new SerializedString("\\u0026");
                case 0x2028 -> new SerializedString("\\u2028");
                case 0x2029 -> new SerializedString("\\u2029");
                default -> null;
            };
        }
    }

    private static final class GoPrettyPrinter extends DefaultPrettyPrinter {
        private static final DefaultIndenter INDENT = new DefaultIndenter("    ", "\n");

        GoPrettyPrinter() {
            super(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withRootSeparator(""));
            _objectIndenter = INDENT;
            _arrayIndenter = INDENT;
        }

        GoPrettyPrinter(GoPrettyPrinter base) {
            super(base);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new GoPrettyPrinter(this);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
            _nesting--;
            if (nrOfEntries > 0) {
                _objectIndenter.writeIndentation(g, _nesting);
            }
            g.writeRaw('}');
        }

        @Override
        public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
            _nesting--;
            if (nrOfValues > 0) {
                _arrayIndenter.writeIndentation(g, _nesting);
            }
            g.writeRaw(']');
        }
    }
}
