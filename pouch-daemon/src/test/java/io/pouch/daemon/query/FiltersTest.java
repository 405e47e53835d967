package io.pouch.daemon.query;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FiltersTest {
    @Test
    void dockerCliMapFormAndDockerJavaArrayFormMeanTheSame() {
        assertEquals(Filters.parse("{\"name\":{\"web\":true}}"), Filters.parse("{\"name\":[\"web\"]}"));
    }

    @Test
    void falseEntriesInTheMapFormAreNotFilters() {
        assertEquals(List.of("a"), Filters.parse("{\"name\":{\"a\":true,\"b\":false}}").get("name"));
    }

    @Test
    void labelsAreAnded() {
        Filters f = Filters.parse("{\"label\":[\"a\",\"b=2\"]}");
        assertTrue(f.matchesLabels("label", Map.of("a", "x", "b", "2")));
        assertFalse(f.matchesLabels("label", Map.of("a", "x", "b", "3")));
        assertFalse(f.matchesLabels("label", Map.of("b", "2")));
    }

    @Test
    void unknownKeysAndBadJsonAre400() {
        assertEquals(400, assertThrows(PouchException.class,
                () -> Filters.parse("{\"bogus\":[\"x\"]}").validate(Set.of("name"))).status());
        assertEquals(400, assertThrows(PouchException.class, () -> Filters.parse("{nope")).status());
    }

    @Test
    void emptyMeansNoFilter() {
        assertTrue(Filters.parse("").matchesExact("status", "running"));
        assertTrue(Filters.parse(null).values().isEmpty());
    }
}
