package io.pouch.api.image;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /images/{name}/json}, Docker's ImageInspect. {@code Container}, {@code ContainerConfig} and
 * {@code VirtualSize} are null (left out) for API versions where dockerd no longer sends them.
 */
public record ImageInspect(
        @JsonProperty("Id") String id,
        @JsonProperty("RepoTags") List<String> repoTags,
        @JsonProperty("RepoDigests") List<String> repoDigests,
        @JsonProperty("Parent") String parent,
        @JsonProperty("Comment") String comment,
        @JsonProperty("Created") String created,
        @JsonProperty("Container") String container,
        @JsonProperty("ContainerConfig") ImageConfig containerConfig,
        @JsonProperty("DockerVersion") String dockerVersion,
        @JsonProperty("Author") String author,
        @JsonProperty("Config") ImageConfig config,
        @JsonProperty("Architecture") String architecture,
        @JsonProperty("Variant") String variant,
        @JsonProperty("Os") String os,
        @JsonProperty("Size") long size,
        @JsonProperty("VirtualSize") Long virtualSize,
        @JsonProperty("GraphDriver") GraphDriver graphDriver,
        @JsonProperty("RootFS") RootFS rootFS,
        @JsonProperty("Metadata") Metadata metadata) {

    public record GraphDriver(@JsonProperty("Name") String name, @JsonProperty("Data") Map<String, String> data) {
    }

    public record RootFS(@JsonProperty("Type") String type, @JsonProperty("Layers") List<String> layers) {
    }

    /** {@code LastTagTime} is RFC 3339; dockerd sends {@code 0001-01-01T00:00:00Z} for never tagged. */
    public record Metadata(@JsonProperty("LastTagTime") String lastTagTime) {
    }
}
