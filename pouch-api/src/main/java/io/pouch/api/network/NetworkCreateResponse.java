package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The answer to {@code POST /networks/create}. */
public record NetworkCreateResponse(@JsonProperty("Id") String id, @JsonProperty("Warning") String warning) {
}
