package io.pouch.api.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** Docker's {@code Volume} object (inspect, list, create). */
public record Volume(@JsonProperty("CreatedAt") String createdAt,
                     @JsonProperty("Driver") String driver,
                     @JsonProperty("Labels") Map<String, String> labels,
                     @JsonProperty("Mountpoint") String mountpoint,
                     @JsonProperty("Name") String name,
                     @JsonProperty("Options") Map<String, String> options,
                     @JsonProperty("Scope") String scope,
                     @JsonProperty("Status") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> status,
                     @JsonProperty("UsageData") @JsonInclude(JsonInclude.Include.NON_NULL) UsageData usageData) {

    /** Reference count and size; {@code -1} where not computed (docker does the same outside {@code system df}). */
    public record UsageData(@JsonProperty("RefCount") long refCount, @JsonProperty("Size") long size) {
    }
}
