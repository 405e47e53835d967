package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageHistoryItem;
import io.pouch.api.image.ImageSummary;
import io.pouch.daemon.query.Filters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageQueriesTest {
    private final IndexedImages images = new IndexedImages();
    private final ImageQueries queries = new ImageQueries(images.index);
    private String busybox;
    private String alpine;
    private String dangling;

    @BeforeEach
    void fill() throws Exception {
        busybox = images.add("2024-01-01T00:00:00Z", Map.of("tier", "base"), 100, "docker.io/library/busybox:latest");
        alpine = images.add("2024-02-01T00:00:00Z", Map.of(), 200, "docker.io/library/alpine:3");
        dangling = images.add("2024-03-01T00:00:00Z", Map.of(), 300);
    }

    private List<String> ids(Filters filters) {
        return queries.list(filters, ImageFields.CURRENT, false).stream().map(ImageSummary::id).toList();
    }

    @Test
    void listsNewestFirstWithFilters() {
        assertEquals(List.of(dangling, alpine, busybox), ids(Filters.NONE));
        assertEquals(List.of(dangling), ids(Filters.parse("{\"dangling\":[\"true\"]}")));
        assertEquals(List.of(alpine, busybox), ids(Filters.parse("{\"dangling\":[\"0\"]}")));
        assertEquals(List.of(busybox), ids(Filters.parse("{\"reference\":{\"busy*\":true}}")));
        assertEquals(List.of(busybox), ids(Filters.parse("{\"label\":[\"tier=base\"]}")));
        assertEquals(List.of(busybox), ids(Filters.parse("{\"before\":[\"alpine:3\"]}")));
        assertEquals(List.of(dangling), ids(Filters.parse("{\"since\":[\"alpine:3\"]}")));
        assertEquals(400, assertThrows(PouchException.class,
                () -> ids(Filters.parse("{\"dangling\":[\"maybe\"]}"))).status());
        assertEquals(400, assertThrows(PouchException.class, () -> ids(Filters.parse("{\"color\":[\"red\"]}"))).status());
    }

    @Test
    void untaggedParentsAreListedOnlyWithAllAsDockerdDoes() throws Exception {
        String step = images.addChild(busybox, "2024-04-01T00:00:00Z", Map.of(), 10);
        String result = images.addChild(step, "2024-04-02T00:00:00Z", Map.of(), 10, "docker.io/library/app:1");
        assertEquals(List.of(result, dangling, alpine, busybox), ids(Filters.NONE));
        assertEquals(List.of(result, step, dangling, alpine, busybox), queries.list(Filters.NONE,
                ImageFields.CURRENT, true).stream().map(ImageSummary::id).toList());
        assertEquals(List.of(dangling), ids(Filters.parse("{\"dangling\":[\"true\"]}")));
        assertEquals(step, queries.list(Filters.parse("{\"reference\":[\"app\"]}"), ImageFields.CURRENT, false)
                .getFirst().parentId());
        assertEquals(busybox, queries.inspect(step, ImageFields.CURRENT).parent());
        assertEquals("", queries.inspect("busybox", ImageFields.CURRENT).parent());
    }

    @Test
    void olderApiVersionsGetPlaceholdersAndVirtualSize() {
        ImageSummary old = queries.list(Filters.NONE, ImageFields.BEFORE_1_44, false).getFirst();
        assertEquals(List.of("<none>:<none>"), old.repoTags());
        assertEquals(List.of("<none>@<none>"), old.repoDigests());
        assertEquals(300L, old.virtualSize());
        ImageSummary current = queries.list(Filters.NONE, ImageFields.BEFORE_1_45, false).getFirst();
        assertEquals(List.of(), current.repoTags());
        assertEquals(null, current.virtualSize());
        assertEquals(300L, current.size());
    }

    @Test
    void inspectCarriesTheFieldsOfTheVersion() {
        JsonNode old = Json.MAPPER.valueToTree(queries.inspect("busybox", ImageFields.BEFORE_1_44));
        assertEquals(busybox, old.get("Id").asText());
        assertEquals("busybox:latest", old.get("RepoTags").get(0).asText());
        assertEquals("c0ffee", old.get("Container").asText());
        assertEquals(100, old.get("VirtualSize").asLong());
        assertEquals("overlayfs", old.get("GraphDriver").get("Name").asText());
        assertEquals("sh", old.get("Config").get("Cmd").get(0).asText());
        assertEquals("2024-05-06T07:08:09Z", old.get("Metadata").get("LastTagTime").asText());
        JsonNode v144 = Json.MAPPER.valueToTree(queries.inspect("busybox", ImageFields.BEFORE_1_45));
        assertEquals("c0ffee", v144.get("Container").asText());
        assertFalse(v144.has("VirtualSize") && !v144.get("VirtualSize").isNull());
        JsonNode current = Json.MAPPER.valueToTree(queries.inspect("busybox", ImageFields.CURRENT));
        assertTrue(!current.has("Container") || current.get("Container").isNull(), current.toString());
        JsonNode untagged = Json.MAPPER.valueToTree(queries.inspect(dangling, ImageFields.CURRENT));
        assertEquals("0001-01-01T00:00:00Z", untagged.get("Metadata").get("LastTagTime").asText());
    }

    @Test
    void historyIsNewestFirstWithTheIdOnTop() {
        List<ImageHistoryItem> h = queries.history("alpine:3");
        assertEquals(1, h.size());
        assertEquals(alpine, h.getFirst().id());
        assertEquals(List.of("alpine:3"), h.getFirst().tags());
        assertEquals(200, h.getFirst().size());
        assertEquals("/bin/sh -c #(nop) ADD file", h.getFirst().createdBy());
        assertEquals(404, assertThrows(PouchException.class, () -> queries.history("nothing")).status());
    }
}
