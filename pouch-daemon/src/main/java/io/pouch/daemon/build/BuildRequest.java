package io.pouch.daemon.build;

import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST /build} as the route read it (the classic builder's parameters).
 *
 * @param dockerfile the Dockerfile's path inside the context ({@code Dockerfile} when none was given)
 * @param tags       the {@code t} values: names the built image gets
 * @param buildArgs  {@code buildargs}: values for the Dockerfile's ARGs (a null value: taken from nowhere, unset)
 * @param labels     {@code labels}: added to the built image as a last LABEL step
 * @param target     the stage to stop at, or null for the last one
 * @param noCache    {@code nocache}: the build cache is not consulted
 * @param remove     {@code rm}: intermediate containers are removed after a successful step
 * @param forceRemove {@code forcerm}: intermediate containers are removed even after a failed step
 * @param quiet      {@code q}: only the final image id is written
 */
public record BuildRequest(String dockerfile, List<String> tags, Map<String, String> buildArgs,
                           Map<String, String> labels, String target, boolean noCache, boolean remove,
                           boolean forceRemove, boolean quiet) {
    public BuildRequest {
        tags = List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
