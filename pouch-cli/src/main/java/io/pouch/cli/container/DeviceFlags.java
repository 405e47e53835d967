package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.volume.MountFlags;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.pouch.cli.container.FlagValues.invalid;

/**
 * Host devices and what the runtime is told besides the OCI basics: {@code --device} (paths, or CDI names that
 * become a "cdi" device request), {@code --device-cgroup-rule}, {@code --gpus}, {@code --storage-opt} and
 * {@code --annotation}, in the HostConfig fields and formats of the docker CLI.
 */
public final class DeviceFlags {
    private static final Pattern CGROUP_RULE = Pattern.compile("^([acb]) ([0-9]+|\\*):([0-9]+|\\*) ([rwm]{1,3})$");
    // a qualified CDI device name: vendor.com/class=name
    private static final Pattern CDI_NAME = Pattern.compile(
            "^[a-zA-Z0-9][a-zA-Z0-9._-]*\\.[a-zA-Z]+/[a-zA-Z0-9][a-zA-Z0-9._-]*=[a-zA-Z0-9_.:-]+$");

    @Option(names = "--device", description = "Add a host device to the container")
    List<String> devices = new ArrayList<>();

    @Option(names = "--device-cgroup-rule", description = "Add a rule to the cgroup allowed devices list")
    List<String> deviceCgroupRules = new ArrayList<>();

    @Option(names = "--gpus", paramLabel = "gpu-request",
            description = "GPU devices to add to the container ('all' to pass all GPUs)")
    List<String> gpus = new ArrayList<>();

    @Option(names = "--storage-opt", description = "Storage driver options for the container")
    List<String> storageOpts = new ArrayList<>();

    @Option(names = "--annotation", paramLabel = "KEY=VALUE",
            description = "Add an annotation to the container (passed through to the OCI runtime)")
    List<String> annotations = new ArrayList<>();

    void apply(ObjectNode hc) {
        ArrayNode requests = hc.arrayNode();
        for (String g : gpus) {
            requests.add(gpuRequest(g));
        }
        List<String> cdi = new ArrayList<>();
        ArrayNode mappings = hc.arrayNode();
        for (String d : devices) {
            if (CDI_NAME.matcher(d).matches()) {
                cdi.add(d);
            } else {
                mappings.add(device(d, mappings.objectNode()));
            }
        }
        if (!cdi.isEmpty()) {
            ObjectNode r = requests.addObject();
            r.put("Driver", "cdi");
            ArrayNode ids = r.putArray("DeviceIDs");
            cdi.forEach(ids::add);
        }
        if (!mappings.isEmpty()) {
            hc.set("Devices", mappings);
        }
        if (!requests.isEmpty()) {
            hc.set("DeviceRequests", requests);
        }
        for (String rule : deviceCgroupRules) {
            if (!CGROUP_RULE.matcher(rule).matches()) {
                throw invalid("--device-cgroup-rule", rule, "invalid device cgroup format '" + rule + "'");
            }
        }
        FlagValues.putStrings(hc, "DeviceCgroupRules", deviceCgroupRules);
        for (String s : storageOpts) {
            if (s.indexOf('=') < 0) {
                throw new CliException("invalid storage option", 125);
            }
        }
        FlagValues.putMap(hc, "StorageOpt", storageOpts);
        FlagValues.putMap(hc, "Annotations", annotations);
    }

    private static boolean isDeviceMode(String mode) {
        if (mode.isEmpty()) {
            return false;
        }
        Set<Character> seen = new HashSet<>();
        for (char c : mode.toCharArray()) {
            if ((c != 'r' && c != 'w' && c != 'm') || !seen.add(c)) {
                return false;
            }
        }
        return true;
    }

    /** HOST[:CONTAINER][:PERMISSIONS] into a DeviceMapping; the container path defaults to the host's, rwm. */
    static ObjectNode device(String spec, ObjectNode into) {
        String bad = "bad format for path: " + spec;
        if (spec.chars().filter(c -> c == ':').count() > 2) {
            throw new CliException(bad, 125);
        }
        String[] parts = spec.split(":", 3);
        if (parts[0].isEmpty()) {
            throw new CliException(bad, 125);
        }
        String host = parts[0];
        String container = host;
        String permissions = "rwm";
        if (parts.length == 2) {
            if (isDeviceMode(parts[1])) {
                permissions = parts[1];
            } else {
                container = parts[1];
            }
        } else if (parts.length == 3) {
            container = parts[1];
            permissions = parts[2];
            if (!isDeviceMode(permissions)) {
                throw new CliException("bad mode specified: " + permissions, 125);
            }
        }
        if (!container.startsWith("/")) {
            throw new CliException(container + " is not an absolute path", 125);
        }
        into.put("PathOnHost", host);
        into.put("PathInContainer", Path.of(container).normalize().toString());
        into.put("CgroupPermissions", permissions);
        return into;
    }

    /** docker's GpuOpts: CSV of all|N, count=, device=, driver=, capabilities=, options=. */
    static ObjectNode gpuRequest(String value) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        Set<String> seen = new HashSet<>();
        String driver = "";
        long count = 0;
        List<String> ids = null;
        List<String> caps = null;
        ObjectNode options = r.objectNode();
        for (String field : MountFlags.fields(value)) {
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String val = eq < 0 ? "" : field.substring(eq + 1);
            if (!seen.add(key)) {
                throw invalid("--gpus", value, "gpu request key '" + key + "' can be specified only once");
            }
            if (eq < 0) {
                seen.add("count");
                count = gpuCount(value, key);
                continue;
            }
            switch (key) {
                case "driver" -> driver = val;
                case "count" -> count = gpuCount(value, val);
                case "device" -> ids = List.of(val.split(",", -1));
                case "capabilities" -> {
                    caps = new ArrayList<>(List.of(val.split(",", -1)));
                    caps.add("gpu");
                }
                case "options" -> {
                    for (String o : MountFlags.fields(val)) {
                        int e = o.indexOf('=');
                        options.put(e < 0 ? o : o.substring(0, e), e < 0 ? "" : o.substring(e + 1));
                    }
                }
                default -> throw invalid("--gpus", value, "unexpected key '" + key + "' in '" + field + "'");
            }
        }
        if (!seen.contains("count") && ids == null) {
            count = 1;
        }
        r.put("Driver", driver);
        r.put("Count", count);
        if (ids != null) {
            ArrayNode a = r.putArray("DeviceIDs");
            ids.forEach(a::add);
        }
        ArrayNode c = r.putArray("Capabilities").addArray();
        (caps == null ? List.of("gpu") : caps).forEach(c::add);
        r.set("Options", options);
        return r;
    }

    private static long gpuCount(String value, String count) {
        if (count.equals("all")) {
            return -1;
        }
        try {
            return Long.parseLong(count);
        } catch (NumberFormatException e) {
            throw invalid("--gpus", value, "invalid count (" + count + "): value must be either \"all\" or an"
                    + " integer: invalid syntax");
        }
    }
}
