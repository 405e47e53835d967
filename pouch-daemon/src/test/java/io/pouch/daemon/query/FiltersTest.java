package io.pouch.daemon.query;

import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    @Test
    void booleanFiltersReadAsDockerdReadsThem() {
        assertEquals(Optional.empty(), Filters.NONE.bool("dangling"));
        assertEquals(Optional.of(true), Filters.parse("{\"dangling\":[\"TRUE\"]}").bool("dangling"));
        assertEquals(Optional.of(true), Filters.parse("{\"dangling\":{\"1\":true}}").bool("dangling"));
        assertEquals(Optional.of(false), Filters.parse("{\"dangling\":[\"0\"]}").bool("dangling"));
        PouchException odd = assertThrows(PouchException.class,
                () -> Filters.parse("{\"dangling\":[\"yes\"]}").bool("dangling"));
        assertEquals(400, odd.status());
        assertEquals("Invalid filter 'dangling=yes'", odd.getMessage());
        assertEquals(400, assertThrows(PouchException.class,
                () -> Filters.parse("{\"dangling\":[\"true\",\"0\"]}").bool("dangling")).status());
    }
}
