package io.pouch.api.system;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/** {@code GET /version}, in Docker's shape (the docker CLI prints it as "Server: ..."). */
public record SystemVersion(
        @JsonProperty("Platform") Platform platform,
        @JsonProperty("Components") List<Component> components,
        @JsonProperty("Version") String version,
        @JsonProperty("ApiVersion") String apiVersion,
        @JsonProperty("MinAPIVersion") String minApiVersion,
        @JsonProperty("GitCommit") String gitCommit,
        @JsonProperty("GoVersion") String goVersion,
        @JsonProperty("Os") String os,
        @JsonProperty("Arch") String arch,
        @JsonProperty("KernelVersion") String kernelVersion,
        @JsonProperty("Experimental") Boolean experimental,
        @JsonProperty("BuildTime") String buildTime) {

    public record Platform(@JsonProperty("Name") String name) {
    }

    /** One part of the engine ("Engine", "containerd", "runc") with free-form details. */
    public record Component(@JsonProperty("Name") String name,
                            @JsonProperty("Version") String version,
                            @JsonProperty("Details") Map<String, String> details) {
    }
}
