package io.pouch.api.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One entry of {@code GET /system/df}'s {@code BuildCache}, in the Engine API's shape: a build step the builder can
 * reuse. {@code Size} is the size of the layer the step added (0 for a step that changed the config alone); the
 * times are RFC 3339, {@code LastUsedAt} null when the entry was never hit.
 */
public record BuildCacheRecord(
        @JsonProperty("ID") String id,
        @JsonProperty("Parent") String parent,
        @JsonProperty("Type") String type,
        @JsonProperty("Description") String description,
        @JsonProperty("InUse") boolean inUse,
        @JsonProperty("Shared") boolean shared,
        @JsonProperty("Size") long size,
        @JsonProperty("CreatedAt") String createdAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("LastUsedAt") String lastUsedAt,
        @JsonProperty("UsageCount") long usageCount) {
}
