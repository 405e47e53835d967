package io.pouch.api.image;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * One row of {@code GET /images/json}, Docker's ImageSummary. {@code VirtualSize} is only sent to clients
 * older than API 1.44 (dockerd dropped it there); null leaves it out.
 */
public record ImageSummary(
        @JsonProperty("Id") String id,
        @JsonProperty("ParentId") String parentId,
        @JsonProperty("RepoTags") List<String> repoTags,
        @JsonProperty("RepoDigests") List<String> repoDigests,
        @JsonProperty("Created") long created,
        @JsonProperty("Size") long size,
        @JsonProperty("SharedSize") long sharedSize,
        @JsonProperty("VirtualSize") Long virtualSize,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("Containers") long containers) {
}
