package io.pouch.api.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** One row of {@code GET /images/{name}/history}, newest first; {@code Id} is "&lt;missing&gt;" below the top. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageHistoryItem(
        @JsonProperty("Id") String id,
        @JsonProperty("Created") long created,
        @JsonProperty("CreatedBy") String createdBy,
        @JsonProperty("Tags") List<String> tags,
        @JsonProperty("Size") long size,
        @JsonProperty("Comment") String comment) {
}
