package io.pouch.daemon.build;

import io.pouch.daemon.registry.Credentials;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code POST /build} as the route read it (the classic builder's parameters).
 *
 * @param dockerfile   the Dockerfile's path inside the context ({@code Dockerfile} when none was given)
 * @param tags         the {@code t} values: names the built image gets
 * @param buildArgs    {@code buildargs}: values for the Dockerfile's ARGs (a null value: taken from nowhere, unset)
 * @param labels       {@code labels}: added to the built image as a last LABEL step
 * @param target       the stage to stop at, or null for the last one
 * @param noCache      {@code nocache}: the build cache is not consulted
 * @param remove       {@code rm}: intermediate containers are removed after a successful step
 * @param forceRemove  {@code forcerm}: intermediate containers are removed even after a failed step
 * @param quiet        {@code q}: only the final image id is written
 * @param pull         {@code pull}: base images are pulled even when present
 * @param registryAuth {@code X-Registry-Config}: credentials by registry, for the pulls of base images
 * @param run          the host settings of the RUN steps' containers
 */
public record BuildRequest(String dockerfile, List<String> tags, Map<String, String> buildArgs,
                           Map<String, String> labels, String target, boolean noCache, boolean remove,
                           boolean forceRemove, boolean quiet, boolean pull, Map<String, Credentials> registryAuth,
                           RunSettings run) {
    public BuildRequest {
        tags = List.copyOf(tags);
        buildArgs = buildArgs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs));
        labels = labels == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(labels));
        registryAuth = registryAuth == null ? Map.of() : Map.copyOf(registryAuth);
        run = run == null ? RunSettings.DEFAULT : run;
    }

    /**
     * What {@code docker build}'s run options ask of every RUN container, with {@code docker run}'s meaning of the
     * same options (0 / empty: the daemon's default).
     *
     * @param networkMode  {@code networkmode}: default, bridge, host, none or a network's name
     * @param extraHosts   {@code extrahosts}: {@code host:ip} lines for /etc/hosts
     * @param ulimits      {@code ulimits}: the Engine API's {@code [{"Name":..,"Soft":..,"Hard":..}]}
     */
    public record RunSettings(String networkMode, List<String> extraHosts, long shmSize, long memory, long memorySwap,
                              long cpuShares, long cpuQuota, long cpuPeriod, String cpusetCpus, String cpusetMems,
                              String cgroupParent, List<Map<String, Object>> ulimits) {
        public static final RunSettings DEFAULT = new RunSettings("", List.of(), 0, 0, 0, 0, 0, 0, "", "", "",
                List.of());

        public RunSettings {
            networkMode = networkMode == null || networkMode.equals("default") ? "" : networkMode;
            extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
            cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
            cpusetMems = cpusetMems == null ? "" : cpusetMems;
            cgroupParent = cgroupParent == null ? "" : cgroupParent;
            ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
        }

        /** The HostConfig JSON of a RUN container, as {@code docker run} with the same options sends it. */
        public Map<String, Object> hostConfigJson() {
            Map<String, Object> h = new LinkedHashMap<>();
            if (!networkMode.isEmpty()) {
                h.put("NetworkMode", networkMode);
            }
            h.put("ExtraHosts", extraHosts);
            h.put("ShmSize", shmSize);
            h.put("Memory", memory);
            h.put("MemorySwap", memorySwap);
            h.put("CpuShares", cpuShares);
            h.put("CpuQuota", cpuQuota);
            h.put("CpuPeriod", cpuPeriod);
            h.put("CpusetCpus", cpusetCpus);
            h.put("CpusetMems", cpusetMems);
            h.put("CgroupParent", cgroupParent);
            h.put("Ulimits", ulimits);
            return h;
        }
    }
}
