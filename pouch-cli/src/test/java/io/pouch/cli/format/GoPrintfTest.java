package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GoPrintfTest {

    @Test
    void verbsWithFlagsAndWidths() {
        List<JsonNode> args = List.of(TextNode.valueOf("web"), LongNode.valueOf(42), DoubleNode.valueOf(1.26));
        assertEquals("[web  ] [  42] [1.3]", GoPrintf.format("[%-5s] [%4d] [%.1f]", args));
        assertEquals("web 42 1.26", GoPrintf.format("%v %v %v", args));
    }

    @Test
    void quotedUsesGoEscaping() {
        assertEquals("\"a\\u003cb\\\"\"", GoPrintf.format("%q", List.of(TextNode.valueOf("a<b\""))));
    }

    @Test
    void percentSignsAndMissingArguments() {
        assertEquals("100% <no value>", GoPrintf.format("100%% %s", List.of()));
        assertEquals("tail %", GoPrintf.format("tail %", List.of()), "a lone % at the end is kept");
        assertEquals("x %-5", GoPrintf.format("x %-5", List.of()), "flags without a verb are kept");
    }
}
