package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** Pouch's {@code POST /containers/{id}/upgrade} body: the new image, and optionally a new command. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerUpgrade(@JsonProperty("Image") String image, @JsonProperty("Cmd") List<String> cmd,
                               @JsonProperty("Entrypoint") List<String> entrypoint) {
}
