package io.pouch.cli.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.pouch.api.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoValuesTest {

    private static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s);
    }

    @Test
    void emptyAndZeroValuesAreFalse() throws Exception {
        for (String falsy : List.of("false", "0", "0.0", "\"\"", "null", "[]", "{}")) {
            assertFalse(GoValues.truth(json(falsy)), falsy);
        }
        assertFalse(GoValues.truth(MissingNode.getInstance()));
        for (String truthy : List.of("true", "-1", "0.5", "\"x\"", "[0]", "{\"a\":null}")) {
            assertTrue(GoValues.truth(json(truthy)), truthy);
        }
    }

    @Test
    void displayPrintsLikeGoFmt() throws Exception {
        assertEquals("<no value>", GoValues.display(MissingNode.getInstance()));
        assertEquals("<nil>", GoValues.display(json("null")));
        assertEquals("map[a:[1 x] b:map[c:<nil>]]", GoValues.display(json("{\"b\":{\"c\":null},\"a\":[1,\"x\"]}")));
        assertEquals("3", GoValues.display(DoubleNode.valueOf(3.0)), "a whole float prints without a fraction");
        assertEquals("2.5", GoValues.display(DoubleNode.valueOf(2.5)));
        assertEquals("[]", GoValues.display(json("[]")));
    }

    @Test
    void sortedFieldsOrderByKey() throws Exception {
        assertEquals(List.of("a", "m", "z"),
                List.copyOf(GoValues.sortedFields(json("{\"z\":1,\"a\":2,\"m\":3}")).keySet()));
    }
}
