package io.pouch.daemon.container;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seccomp profiles in Docker's format, resolved into the OCI spec's {@code linux.seccomp} as moby's
 * {@code profiles/seccomp} does: the {@code archMap} entry of this machine's architecture gives the
 * architectures, and each rule's {@code includes}/{@code excludes} (capabilities of the container's bounding set,
 * architecture, minimum kernel) decide whether it is kept. Docker's default profile, an allow list, ships as data
 * ({@code seccomp-default.json}, moby's {@code default.json}); a user's profile ({@code --security-opt seccomp=})
 * goes through the same resolution, and a profile in plain OCI form ({@code architectures}, no conditions) passes
 * through unchanged.
 */
public final class SeccompProfile {
    private static final JsonNode DEFAULT = load();

    /** GOARCH-style name (what moby's conditions say) of the JVM's os.arch. */
    private static final Map<String, String> NATIVE = Map.of("amd64", "amd64", "x86_64", "amd64", "aarch64", "arm64",
            "arm", "arm", "x86", "x86", "i386", "x86", "ppc64le", "ppc64le", "s390x", "s390x", "riscv64", "riscv64");
    private static final Map<String, String> SECCOMP_ARCH = Map.of("amd64", "SCMP_ARCH_X86_64", "arm64",
            "SCMP_ARCH_AARCH64", "arm", "SCMP_ARCH_ARM", "x86", "SCMP_ARCH_X86", "ppc64le", "SCMP_ARCH_PPC64LE",
            "s390x", "SCMP_ARCH_S390X", "riscv64", "SCMP_ARCH_RISCV64");

    /** What a profile's conditions are tested against. */
    public record Target(List<String> bounding, String arch, int kernelMajor, int kernelMinor) {
        /** This machine (architecture and kernel of the running JVM) with the container's bounding set. */
        public static Target here(List<String> bounding) {
            String arch = NATIVE.getOrDefault(System.getProperty("os.arch", "").toLowerCase(Locale.ROOT),
                    System.getProperty("os.arch", ""));
            String[] v = System.getProperty("os.version", "0.0").split("[^0-9]+");
            int major = v.length > 0 && !v[0].isEmpty() ? Integer.parseInt(v[0]) : 0;
            int minor = v.length > 1 && !v[1].isEmpty() ? Integer.parseInt(v[1]) : 0;
            return new Target(bounding, arch, major, minor);
        }
    }

    private SeccompProfile() {
    }

    /** Docker's default profile for {@code target}. */
    public static ObjectNode defaultProfile(Target target) {
        return resolve(DEFAULT, target);
    }

    /**
     * A user's profile, the JSON text the docker CLI sends in {@code seccomp=<json>}; null when it asks for nothing
     * (no default action and no rules, as moby reads it).
     */
    public static ObjectNode fromJson(String text, Target target) {
        JsonNode profile;
        try {
            profile = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw PouchException.invalidArgument("Decoding seccomp profile failed: " + e.getOriginalMessage());
        }
        if (profile == null || !profile.isObject()) {
            throw PouchException.invalidArgument("Decoding seccomp profile failed: a JSON object is expected, not "
                    + (text.length() > 40 ? text.substring(0, 37) + "..." : text));
        }
        if (profile.path("defaultAction").asText("").isEmpty() && profile.path("syscalls").isEmpty()) {
            return null;
        }
        return resolve(profile, target);
    }

    static ObjectNode resolve(JsonNode profile, Target target) {
        if (profile.path("architectures").size() > 0 && profile.path("archMap").size() > 0) {
            throw PouchException.invalidArgument("both 'architectures' and 'archMap' are specified in the seccomp "
                    + "profile, use either 'architectures' or 'archMap'");
        }
        if (profile.path("defaultAction").asText("").isEmpty()) {
            throw PouchException.invalidArgument("Decoding seccomp profile failed: defaultAction is required");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("defaultAction", profile.path("defaultAction").asText());
        copy(profile, out, "defaultErrnoRet", "listenerPath", "listenerMetadata", "flags");
        ArrayNode arches = out.putArray("architectures");
        profile.path("architectures").forEach(arches::add);
        String mine = SECCOMP_ARCH.get(target.arch());
        for (JsonNode a : profile.path("archMap")) {
            if (a.path("architecture").asText().equals(mine)) {
                arches.add(mine);
                a.path("subArchitectures").forEach(arches::add);
                break;
            }
        }
        ArrayNode rules = out.putArray("syscalls");
        for (JsonNode call : profile.path("syscalls")) {
            if (call.hasNonNull("name") && call.path("names").size() > 0) {
                throw PouchException.invalidArgument("both 'name' and 'names' are specified in the seccomp profile,"
                        + " use either 'name' or 'names'");
            }
            if (!applies(call, target)) {
                continue;
            }
            ObjectNode r = rules.addObject();
            ArrayNode names = r.putArray("names");
            if (call.hasNonNull("name")) {
                names.add(call.path("name").asText());
            } else {
                call.path("names").forEach(names::add);
            }
            r.put("action", call.path("action").asText());
            copy(call, r, "errnoRet", "args");
        }
        return out;
    }

    /** moby's rule filter: an exclude that matches or an include that does not drops the rule. */
    private static boolean applies(JsonNode call, Target t) {
        JsonNode ex = call.path("excludes");
        if (contains(ex.path("arches"), t.arch())) {
            return false;
        }
        for (JsonNode c : ex.path("caps")) {
            if (t.bounding().contains(c.asText())) {
                return false;
            }
        }
        if (ex.hasNonNull("minKernel") && kernelAtLeast(ex.path("minKernel").asText(), t)) {
            return false;
        }
        JsonNode in = call.path("includes");
        if (in.path("arches").size() > 0 && !contains(in.path("arches"), t.arch())) {
            return false;
        }
        for (JsonNode c : in.path("caps")) {
            if (!t.bounding().contains(c.asText())) {
                return false;
            }
        }
        return !in.hasNonNull("minKernel") || kernelAtLeast(in.path("minKernel").asText(), t);
    }

    private static boolean kernelAtLeast(String version, Target t) {
        if (version.isEmpty()) {
            return true;
        }
        String[] p = version.split("\\.");
        try {
            int major = Integer.parseInt(p[0]);
            int minor = p.length > 1 ? Integer.parseInt(p[1]) : 0;
            return t.kernelMajor() > major || (t.kernelMajor() == major && t.kernelMinor() >= minor);
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid kernel version: \"" + version
                    + "\", expected \"<kernel>.<major>\"");
        }
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode n : array) {
            if (n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void copy(JsonNode from, ObjectNode to, String... fields) {
        for (String f : fields) {
            JsonNode v = from.get(f);
            if (v != null && !v.isNull()) {
                to.set(f, v.deepCopy());
            }
        }
    }

    private static JsonNode load() {
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp-default.json is missing from the classpath");
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
