package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /containers/{id}/wait}: {@code {"Error":null,"StatusCode":N}} (Error is written as null). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerWaitResponse(@JsonProperty("Error") WaitError error, @JsonProperty("StatusCode") long statusCode) {
    public record WaitError(@JsonProperty("Message") String message) {
    }
}
