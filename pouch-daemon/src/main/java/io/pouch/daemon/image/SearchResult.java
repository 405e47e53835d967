package io.pouch.daemon.image;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One entry of {@code GET /images/search}, with Docker's field names and order. */
@JsonPropertyOrder({"star_count", "is_official", "name", "is_automated", "description"})
public record SearchResult(@JsonProperty("star_count") int starCount, @JsonProperty("is_official") boolean official,
                           @JsonProperty("name") String name, @JsonProperty("is_automated") boolean automated,
                           @JsonProperty("description") String description) {
    /** A repository of a registry of its own: no stars, not official, not automated, no description. */
    static SearchResult of(String name) {
        return new SearchResult(0, false, name, false, "");
    }
}
