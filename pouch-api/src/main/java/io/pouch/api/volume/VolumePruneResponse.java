package io.pouch.api.volume;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Answer of {@code POST /volumes/prune}. */
public record VolumePruneResponse(@JsonProperty("VolumesDeleted") List<String> volumesDeleted,
                                  @JsonProperty("SpaceReclaimed") long spaceReclaimed) {
}
