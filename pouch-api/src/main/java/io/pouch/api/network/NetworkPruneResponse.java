package io.pouch.api.network;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The answer to {@code POST /networks/prune}: the names of the networks removed. */
public record NetworkPruneResponse(@JsonProperty("NetworksDeleted") List<String> networksDeleted) {
}
