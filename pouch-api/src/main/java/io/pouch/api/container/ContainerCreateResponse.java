package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** {@code 201} answer of {@code POST /containers/create}. */
public record ContainerCreateResponse(@JsonProperty("Id") String id, @JsonProperty("Warnings") List<String> warnings) {
}
