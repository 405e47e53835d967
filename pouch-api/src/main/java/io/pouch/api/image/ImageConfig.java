package io.pouch.api.image;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * The {@code Config} of an image as dockerd shows it in inspect: Docker's container-config shape. Read from the
 * {@code config} object of the image config blob (same capitalised keys), so unknown keys are dropped.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ImageConfig(
        @JsonProperty("Hostname") String hostname,
        @JsonProperty("Domainname") String domainname,
        @JsonProperty("User") String user,
        @JsonProperty("AttachStdin") boolean attachStdin,
        @JsonProperty("AttachStdout") boolean attachStdout,
        @JsonProperty("AttachStderr") boolean attachStderr,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
        @JsonProperty("Tty") boolean tty,
        @JsonProperty("OpenStdin") boolean openStdin,
        @JsonProperty("StdinOnce") boolean stdinOnce,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Cmd") List<String> cmd,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("Healthcheck") Map<String, Object> healthcheck,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("ArgsEscaped") Boolean argsEscaped,
        @JsonProperty("Image") String image,
        @JsonProperty("Volumes") Map<String, Object> volumes,
        @JsonProperty("WorkingDir") String workingDir,
        @JsonProperty("Entrypoint") List<String> entrypoint,
        @JsonProperty("OnBuild") List<String> onBuild,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("StopSignal") String stopSignal,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("Shell") List<String> shell) {

    /** Docker's defaults for absent strings: empty, not null (the CLI's templates print them). */
    public ImageConfig {
        hostname = hostname == null ? "" : hostname;
        domainname = domainname == null ? "" : domainname;
        user = user == null ? "" : user;
        image = image == null ? "" : image;
        workingDir = workingDir == null ? "" : workingDir;
    }
}
