package io.pouch.cli.volume;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.format.Units;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --mount}, {@code --tmpfs}, {@code --volumes-from} and {@code --volume-driver} of run/create, turned into
 * {@code HostConfig.Mounts}, {@code Tmpfs}, {@code VolumesFrom} and {@code VolumeDriver} as the docker CLI sends
 * them. The daemon validates the rest (paths, names, existence).
 */
public final class MountFlags {
    private MountFlags() {
    }

    /** Adds the flags' fields to {@code hc}. */
    public static void apply(ObjectNode hc, List<String> mounts, List<String> tmpfs, List<String> volumesFrom,
                             String volumeDriver) {
        if (mounts != null && !mounts.isEmpty()) {
            ArrayNode a = hc.putArray("Mounts");
            for (String m : mounts) {
                a.add(parseMount(m));
            }
        }
        if (tmpfs != null && !tmpfs.isEmpty()) {
            ObjectNode t = hc.putObject("Tmpfs");
            for (String s : tmpfs) {
                int colon = s.indexOf(':');
                t.put(colon < 0 ? s : s.substring(0, colon), colon < 0 ? "" : s.substring(colon + 1));
            }
        }
        if (volumesFrom != null && !volumesFrom.isEmpty()) {
            ArrayNode a = hc.putArray("VolumesFrom");
            volumesFrom.forEach(a::add);
        }
        if (volumeDriver != null && !volumeDriver.isEmpty()) {
            hc.put("VolumeDriver", volumeDriver);
        }
    }

    /** The CSV fields of a {@code --mount} value: commas separate, double quotes protect ("volume-opt=o=a,b"). */
    public static List<String> fields(String value) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                if (quoted && i + 1 < value.length() && value.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw bad(value, "unterminated quote");
        }
        out.add(cur.toString());
        return out;
    }

    static ObjectNode parseMount(String value) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        String type = "volume";
        ObjectNode volumeOptions = null;
        ObjectNode bindOptions = null;
        ObjectNode tmpfsOptions = null;
        for (String f : fields(value)) {
            int eq = f.indexOf('=');
            String key = (eq < 0 ? f : f.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String val = eq < 0 ? null : f.substring(eq + 1);
            if (eq < 0 && !key.equals("readonly") && !key.equals("ro") && !key.equals("volume-nocopy")) {
                throw bad(value, "invalid field '" + f + "' must be a key=value pair");
            }
            switch (key) {
                case "type" -> type = val;
                case "source", "src" -> m.put("Source", val);
                case "target", "dst", "destination" -> m.put("Target", val);
                case "readonly", "ro" -> m.put("ReadOnly", bool(value, key, val));
                case "consistency" -> m.put("Consistency", val);
                case "bind-propagation" -> {
                    bindOptions = bindOptions == null ? Json.MAPPER.createObjectNode() : bindOptions;
                    bindOptions.put("Propagation", val);
                }
                case "volume-nocopy" -> {
                    volumeOptions = volumeOptions == null ? Json.MAPPER.createObjectNode() : volumeOptions;
                    volumeOptions.put("NoCopy", bool(value, key, val));
                }
                case "volume-label" -> {
                    volumeOptions = volumeOptions == null ? Json.MAPPER.createObjectNode() : volumeOptions;
                    ObjectNode labels = volumeOptions.has("Labels") ? (ObjectNode) volumeOptions.get("Labels")
                            : volumeOptions.putObject("Labels");
                    int e2 = val.indexOf('=');
                    labels.put(e2 < 0 ? val : val.substring(0, e2), e2 < 0 ? "" : val.substring(e2 + 1));
                }
                case "volume-driver" -> {
                    volumeOptions = volumeOptions == null ? Json.MAPPER.createObjectNode() : volumeOptions;
                    ObjectNode dc = volumeOptions.has("DriverConfig") ? (ObjectNode) volumeOptions.get("DriverConfig")
                            : volumeOptions.putObject("DriverConfig");
                    dc.put("Name", val);
                }
                case "volume-opt" -> {
                    volumeOptions = volumeOptions == null ? Json.MAPPER.createObjectNode() : volumeOptions;
                    ObjectNode dc = volumeOptions.has("DriverConfig") ? (ObjectNode) volumeOptions.get("DriverConfig")
                            : volumeOptions.putObject("DriverConfig");
                    ObjectNode opts = dc.has("Options") ? (ObjectNode) dc.get("Options") : dc.putObject("Options");
                    int e2 = val.indexOf('=');
                    if (e2 <= 0) {
                        throw bad(value, "invalid volume-opt '" + val + "'");
                    }
                    opts.put(val.substring(0, e2), val.substring(e2 + 1));
                }
                case "tmpfs-size" -> {
                    tmpfsOptions = tmpfsOptions == null ? Json.MAPPER.createObjectNode() : tmpfsOptions;
                    try {
                        tmpfsOptions.put("SizeBytes", Units.ramInBytes(val));
                    } catch (IllegalArgumentException e) {
                        throw bad(value, "invalid tmpfs-size '" + val + "'");
                    }
                }
                case "tmpfs-mode" -> {
                    tmpfsOptions = tmpfsOptions == null ? Json.MAPPER.createObjectNode() : tmpfsOptions;
                    try {
                        tmpfsOptions.put("Mode", Integer.parseInt(val, 8));
                    } catch (NumberFormatException e) {
                        throw bad(value, "invalid tmpfs-mode '" + val + "'");
                    }
                }
                default -> throw bad(value, "unexpected key '" + key + "' in '" + f + "'");
            }
        }
        m.put("Type", type);
        if (bindOptions != null) {
            m.set("BindOptions", bindOptions);
        }
        if (volumeOptions != null) {
            m.set("VolumeOptions", volumeOptions);
        }
        if (tmpfsOptions != null) {
            m.set("TmpfsOptions", tmpfsOptions);
        }
        return m;
    }

    private static boolean bool(String value, String key, String val) {
        if (val == null) {
            return true;
        }
        return switch (val.toLowerCase(Locale.ROOT)) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw bad(value, "invalid value for " + key + ": " + val);
        };
    }

    private static CliException bad(String value, String why) {
        return new CliException("invalid argument \"" + value + "\" for \"--mount\" flag: " + why, 125);
    }
}
