package io.pouch.daemon.container.exec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What survives a pouchd restart of one exec: {@code <containers>/<containerId>/execs/<id>.json}. Enough to answer
 * exec inspect afterwards and to find the process again in containerd (same exec id).
 *
 * @param exitCode   null while not started or running
 * @param finishedAt epoch millis of the exit (0 while none), for pruning
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ExecRecord(
        @JsonProperty("ID") String id,
        @JsonProperty("ContainerID") String containerId,
        @JsonProperty("Config") ExecConfig config,
        @JsonProperty("Started") boolean started,
        @JsonProperty("Running") boolean running,
        @JsonProperty("ExitCode") Integer exitCode,
        @JsonProperty("Pid") int pid,
        @JsonProperty("FinishedAt") long finishedAt) {
}
