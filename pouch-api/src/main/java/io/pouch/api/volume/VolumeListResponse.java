package io.pouch.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Answer of {@code GET /volumes}. */
public record VolumeListResponse(@JsonProperty("Volumes") List<Volume> volumes,
                                 @JsonProperty("Warnings") List<String> warnings) {
}
