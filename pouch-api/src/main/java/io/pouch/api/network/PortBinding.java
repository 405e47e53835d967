package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One host address and port a container port is published on ({@code NetworkSettings.Ports} of inspect). */
public record PortBinding(@JsonProperty("HostIp") String hostIp, @JsonProperty("HostPort") String hostPort) {
}
