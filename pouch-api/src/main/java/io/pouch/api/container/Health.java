package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * Docker's {@code State.Health} of a container with a healthcheck: {@code Status} is {@code starting},
 * {@code healthy} or {@code unhealthy}; {@code Log} holds the last five probes, oldest first.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Health(@JsonProperty("Status") String status,
                     @JsonProperty("FailingStreak") int failingStreak,
                     @JsonProperty("Log") List<Result> log) {
    public static final String STARTING = "starting";
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    /** The {@code health} filter's value for a container without a healthcheck. */
    public static final String NONE = "none";

    public Health {
        log = log == null ? List.of() : List.copyOf(log);
    }

    /** One probe: times are RFC 3339 with nanoseconds; ExitCode -1 when it could not run or timed out. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Result(@JsonProperty("Start") String start,
                         @JsonProperty("End") String end,
                         @JsonProperty("ExitCode") int exitCode,
                         @JsonProperty("Output") String output) {
    }
}
