package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TemplateFunctionsTest {

    private static JsonNode call(String name, JsonNode... args) {
        return TemplateFunctions.call(name, List.of(args));
    }

    private static JsonNode text(String s) {
        return TextNode.valueOf(s);
    }

    private static JsonNode num(long n) {
        return LongNode.valueOf(n);
    }

    @Test
    void splitKeepsEmptyPartsAndSplitsIntoCharactersOnEmptySeparator() throws Exception {
        assertEquals(Json.MAPPER.readTree("[\"a\",\"\",\"b\"]"), call("split", text("a::b"), text(":")));
        assertEquals(Json.MAPPER.readTree("[\"a\",\"b\"]"), call("split", text("ab"), text("")));
    }

    @Test
    void stringFunctions() {
        assertEquals("Hello-World 2nd", call("title", text("hello-world 2nd")).textValue());
        assertEquals("abc", call("lower", text("ABC")).textValue());
        assertEquals("ab", call("truncate", text("abc"), num(2)).textValue());
        assertEquals("abc", call("truncate", text("abc"), num(9)).textValue());
        assertEquals("  x ", call("pad", text("x"), num(2), num(1)).textValue());
        assertEquals("null", call("json", MissingNode.getInstance()).textValue());
    }

    @Test
    void printSpacesOnlyBetweenNonStrings() {
        assertEquals("ab1 2", call("print", text("a"), text("b"), num(1), num(2)).textValue());
        assertEquals("a b 1\n", call("println", text("a"), text("b"), num(1)).textValue());
    }

    @Test
    void andOrReturnTheDecidingOperand() {
        assertEquals(num(0), call("and", num(1), num(0), num(2)));
        assertEquals(num(2), call("and", num(1), num(2)));
        assertEquals(text("x"), call("or", text(""), text("x"), text("y")));
        assertEquals(text(""), call("or", num(0), text("")));
        assertEquals(BooleanNode.TRUE, call("not", text("")));
    }

    @Test
    void comparisonsAreNumericForNumbersAndTextualOtherwise() {
        assertEquals(BooleanNode.TRUE, call("lt", num(9), num(10)));
        assertEquals(BooleanNode.FALSE, call("lt", text("9"), text("10")));
        assertEquals(BooleanNode.TRUE, call("eq", num(1), num(2), num(1)));
        assertEquals(BooleanNode.TRUE, call("ne", text("a"), text("b")));
        assertEquals(BooleanNode.TRUE, call("ge", num(3), num(3)));
    }

    @Test
    void indexWalksArraysAndMapsAndLenCountsThem() throws Exception {
        JsonNode data = Json.MAPPER.readTree("{\"a\":[\"x\",\"y\"]}");
        assertEquals(text("y"), call("index", data, text("a"), num(1)));
        assertEquals(num(2), call("len", data.get("a")));
        assertEquals(num(3), call("len", text("abc")));
    }

    @Test
    void wrongArgumentsAndUnknownFunctionsAreErrors() {
        assertEquals("template: wrong number of args for upper: want 1 got 2",
                assertThrows(TemplateException.class, () -> call("upper", text("a"), text("b"))).getMessage());
        assertEquals("template: len of 3",
                assertThrows(TemplateException.class, () -> call("len", num(3))).getMessage());
        assertEquals("template: function \"nope\" not defined",
                assertThrows(TemplateException.class, () -> call("nope")).getMessage());
    }
}
