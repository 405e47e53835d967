package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code State} of an inspect. Status is one of created, running, paused, restarting, removing, exited, dead.
 * Times are RFC 3339 with nanoseconds; "never" is Docker's zero time {@code 0001-01-01T00:00:00Z}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerState(
        @JsonProperty("Status") String status,
        @JsonProperty("Running") boolean running,
        @JsonProperty("Paused") boolean paused,
        @JsonProperty("Restarting") boolean restarting,
        @JsonProperty("OOMKilled") boolean oomKilled,
        @JsonProperty("Dead") boolean dead,
        @JsonProperty("Pid") int pid,
        @JsonProperty("ExitCode") int exitCode,
        @JsonProperty("Error") String error,
        @JsonProperty("StartedAt") String startedAt,
        @JsonProperty("FinishedAt") String finishedAt,
        @JsonProperty("Health") @JsonInclude(JsonInclude.Include.NON_NULL) Health health) {

    /** A state without a healthcheck's {@code Health}: it is kept apart and added to the views that show it. */
    public ContainerState(String status, boolean running, boolean paused, boolean restarting, boolean oomKilled,
                          boolean dead, int pid, int exitCode, String error, String startedAt, String finishedAt) {
        this(status, running, paused, restarting, oomKilled, dead, pid, exitCode, error, startedAt, finishedAt, null);
    }

    /** This state with {@code h} as its {@code Health} (null: none). */
    public ContainerState withHealth(Health h) {
        return new ContainerState(status, running, paused, restarting, oomKilled, dead, pid, exitCode, error,
                startedAt, finishedAt, h);
    }

    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    public static ContainerState created() {
        return new ContainerState("created", false, false, false, false, false, 0, 0, "", ZERO_TIME, ZERO_TIME);
    }
}
