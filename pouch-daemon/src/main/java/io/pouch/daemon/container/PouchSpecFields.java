package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pouch's own create fields that shape the runtime spec: {@code DisableNetworkFiles} (the container's hostname,
 * hosts and resolv.conf files are not bound in), {@code SpecAnnotation} (into the spec's annotations, never over
 * one already there, as Pouch) and {@code IntelRdtL3Cbm} (the spec's {@code linux.intelRdt}, which runc applies
 * through resctrl; refused where the host has no resctrl). {@code NetPriority} is applied after the task exists
 * ({@link NetPriorities}); here it is only checked against the host.
 */
final class PouchSpecFields {
    /** runc's form of an L3 cache schema: {@code L3:<cache id>=<mask>} for one or more caches. */
    private static final Pattern L3_SCHEMA = Pattern.compile("L3:[0-9]+=[0-9a-fA-F]+(;[0-9]+=[0-9a-fA-F]+)*");

    private PouchSpecFields() {
    }

    /** Refuses what is malformed, pure (no look at the host). */
    static void validate(ContainerConfig cfg, HostConfig hc) {
        if (cfg.specAnnotation() != null) {
            for (Map.Entry<String, String> e : cfg.specAnnotation().entrySet()) {
                if (e.getKey() == null || e.getKey().isBlank()) {
                    throw PouchException.invalidArgument("SpecAnnotation: an annotation needs a key (key=value)");
                }
            }
        }
        if (cfg.netPriority() < 0 || cfg.netPriority() > 0xFFFFFFFFL) {
            throw PouchException.invalidArgument("NetPriority " + cfg.netPriority() + ": a net_prio priority is a"
                    + " number from 0 to 4294967295");
        }
        String cbm = hc.intelRdtL3Cbm();
        if (cbm != null && !cbm.isEmpty() && !L3_SCHEMA.matcher(cbm).matches()) {
            throw PouchException.invalidArgument("HostConfig.IntelRdtL3Cbm \"" + cbm + "\": an L3 cache schema is"
                    + " L3:<cache id>=<hex mask>[;<cache id>=<hex mask>...], for example L3:0=ff");
        }
    }

    /**
     * Applies the fields to {@code spec} (built by {@link OciSpecBuilder}, before the user mounts are added).
     *
     * @param dir the container's state directory, where its network files are
     */
    static void apply(ObjectNode spec, ContainerConfig cfg, HostConfig hc, Path dir, PouchHostFeatures host) {
        validate(cfg, hc);
        if (cfg.disableNetworkFiles()) {
            dropNetworkFiles(spec, dir);
        }
        if (cfg.specAnnotation() != null && !cfg.specAnnotation().isEmpty()) {
            ObjectNode annotations = spec.withObject("/annotations");
            cfg.specAnnotation().forEach((k, v) -> {
                if (!annotations.has(k)) {
                    annotations.put(k, v == null ? "" : v);
                }
            });
        }
        if (cfg.netPriority() != 0) {
            host.requireNetPrio();
        }
        String cbm = hc.intelRdtL3Cbm();
        if (cbm != null && !cbm.isEmpty()) {
            host.requireResctrl();
            spec.withObject("/linux").putObject("intelRdt").put("l3CacheSchema", cbm);
        }
    }

    /** Removes the binds of the container's own hostname, hosts and resolv.conf files. */
    private static void dropNetworkFiles(ObjectNode spec, Path dir) {
        Set<String> own = Set.of(dir.resolve("hostname").toString(), dir.resolve("hosts").toString(),
                dir.resolve("resolv.conf").toString());
        JsonNode mounts = spec.path("mounts");
        if (mounts instanceof ArrayNode a) {
            for (Iterator<JsonNode> it = a.iterator(); it.hasNext(); ) {
                if (own.contains(it.next().path("source").asText())) {
                    it.remove();
                }
            }
        }
    }
}
