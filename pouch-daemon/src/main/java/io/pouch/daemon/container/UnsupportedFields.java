package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The fields of a create request that this engine knows but cannot apply. A user who asked for one of them
 * believes the container has it, so create is refused with a 400 naming the field rather than the field being
 * dropped. A field in its default state (absent, null, false, 0, "", [], {} or the field's own neutral value,
 * which the docker CLI and docker-java send on every create) passes. Fields no engine knows stay ignored, as
 * dockerd ignores them.
 */
final class UnsupportedFields {
    private static final Predicate<JsonNode> UNSET = UnsupportedFields::unset;

    /**
     * One refusal: {@code section} is {@code ""} for the top-level Config or {@code "HostConfig"}; a value passes
     * when {@code passes} holds for it.
     */
    record Rule(String section, String field, Predicate<JsonNode> passes, String why) {
        String path() {
            return section.isEmpty() ? field : section + "." + field;
        }
    }

    private static final String HC = "HostConfig";
    private static final String POUCH = "is one of Pouch's own options, which this engine does not provide yet";

    static final List<Rule> RULES = List.of(
            // namespaces, identity and confinement
            new Rule(HC, "UsernsMode", oneOf("host"), "user namespaces are not supported: containers here always"
                    + " share the host's user namespace (UsernsMode \"host\" or empty)"),
            new Rule(HC, "Cgroup", UNSET, "sharing another container's cgroup is not supported"),
            new Rule(HC, "StorageOpt", UNSET,
                    "--storage-opt is supported only for overlay over xfs with 'pquota' mount option"),
            new Rule(HC, "Isolation", oneOf("default"), "linux only supports the default isolation"),
            // resources runc or Linux do not apply (dockerd accepts the first four and drops them)
            new Rule(HC, "KernelMemory", UNSET, "kernel memory limits are deprecated by the kernel and ignored by"
                    + " runc, so they cannot be applied"),
            new Rule(HC, "KernelMemoryTCP", UNSET, "kernel TCP memory limits are deprecated by the kernel and ignored"
                    + " by runc, so they cannot be applied"),
            new Rule(HC, "CpuCount", UNSET, "CPU count is a Windows-only option; use NanoCpus (--cpus) on Linux"),
            new Rule(HC, "CpuPercent", UNSET, "linux does not support CPU percent; use NanoCpus (--cpus)"),
            new Rule(HC, "IOMaximumIOps", UNSET,
                    "Invalid QoS settings: linux does not support configuration of maximum IOPs"),
            new Rule(HC, "IOMaximumBandwidth", UNSET,
                    "Invalid QoS settings: linux does not support configuration of maximum bandwidth"),
            // Config
            new Rule("", "NetworkDisabled", UNSET, "use --network none to run without a network"),
            // Pouch's own fields
            new Rule("", "Snapshotter", UNSET, POUCH),
            new Rule(HC, "RuntimeType", UNSET, POUCH),
            new Rule(HC, "CgroupMode", UNSET, POUCH),
            new Rule(HC, "ScheLatSwitch", UNSET, POUCH),
            new Rule(HC, "MemoryWmarkRatio", UNSET, POUCH),
            new Rule(HC, "MemoryExtra", UNSET, POUCH),
            new Rule(HC, "MemoryForceEmptyCtl", UNSET, POUCH));

    private UnsupportedFields() {
    }

    /** Refuses the first field of {@code body} (a create request) that is set but cannot be applied. */
    static void refuse(JsonNode body) {
        for (Rule r : RULES) {
            JsonNode section = r.section().isEmpty() ? body : body.path(r.section());
            JsonNode value = section.path(r.field());
            if (!value.isMissingNode() && !r.passes().test(value)) {
                throw PouchException.invalidArgument(r.path() + " " + shown(value) + ": " + r.why()
                        + (POUCH.equals(r.why()) ? "" : "; remove it to create the container"));
            }
        }
    }

    /** Absent or Docker's zero value. */
    static boolean unset(JsonNode v) {
        return v == null || v.isMissingNode() || v.isNull() || (v.isBoolean() && !v.booleanValue())
                || (v.isNumber() && v.asDouble() == 0) || (v.isTextual() && v.textValue().isEmpty())
                || (v.isContainerNode() && v.isEmpty());
    }

    private static Predicate<JsonNode> oneOf(String... accepted) {
        Set<String> ok = Set.of(accepted);
        return v -> unset(v) || (v.isTextual() && ok.contains(v.textValue()));
    }

    private static String shown(JsonNode v) {
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
