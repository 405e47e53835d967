package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One element of a container's {@code Ports} in {@code GET /containers/json}: a published port, or an exposed one
 * that is not published (then {@code ip} and {@code publicPort} are null and left out of the JSON).
 */
public record Port(@JsonProperty("IP") String ip,
                   @JsonProperty("PrivatePort") int privatePort,
                   @JsonProperty("PublicPort") Integer publicPort,
                   @JsonProperty("Type") String type) {

    /** An exposed port that is not published. */
    public static Port exposed(int privatePort, String type) {
        return new Port(null, privatePort, null, type);
    }
}
