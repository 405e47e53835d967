package io.pouch.daemon.build;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShellWordsTest {
    private static final Map<String, String> VARS = Map.of("A", "a", "EMPTY", "", "P", "/p q");

    private static String x(String s) {
        return ShellWords.expand(s, VARS::get, '\\');
    }

    @Test
    void substitutions() {
        assertEquals("a", x("$A"));
        assertEquals("a-b", x("${A}-b"));
        assertEquals("", x("$UNSET"));
        assertEquals("dflt", x("${UNSET:-dflt}"));
        assertEquals("dflt", x("${EMPTY:-dflt}"));
        assertEquals("", x("${EMPTY-dflt}"));
        assertEquals("a", x("${A:-dflt}"));
        assertEquals("alt", x("${A:+alt}"));
        assertEquals("", x("${EMPTY:+alt}"));
        assertEquals("alt", x("${EMPTY+alt}"));
        assertEquals("x-a", x("${UNSET:-x-$A}"));
        assertEquals("$", x("$"));
        assertEquals("a$", x("$A$"));
    }

    @Test
    void quotesAndEscapes() {
        assertEquals("$A", x("'$A'"));
        assertEquals("a b", x("\"$A b\""));
        assertEquals("$A", x("\\$A"));
        assertEquals("\"$A\"", x("\\\"\\$A\\\""));
        assertEquals("x\\ny", x("\"x\\ny\""));
        assertEquals("/p q", x("\"$P\""));
    }

    @Test
    void badSubstitutionsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x("${A:?x}"));
        assertEquals("unsupported modifier (:?) in substitution ${A...} in ${A:?x}", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x("${A"));
        assertThrows(IllegalArgumentException.class, () -> x("'abc"));
    }

    @Test
    void splitKeepsQuotedWhitespace() {
        assertEquals(List.of("a", "\"b c\"", "'d e'", "f\\ g"), ShellWords.split(" a \"b c\"  'd e' f\\ g ", '\\'));
    }
}
