package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One device cgroup rule ({@code linux.resources.devices} of the OCI spec), as written in
 * {@code --device-cgroup-rule}: {@code "c 1:3 rwm"}, {@code "a *:* m"}.
 *
 * @param major null for any ({@code *})
 * @param minor null for any ({@code *})
 */
public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    /** dockerd's grammar (daemon/oci_linux.go). */
    private static final Pattern RULE = Pattern.compile("^([acb]) ([0-9]+|\\*):([0-9]+|\\*) ([rwm]{1,3})$");

    /** Parses a {@code DeviceCgroupRules} item, refused with dockerd's message when malformed. */
    public static DeviceRule parse(String text) {
        Matcher m = RULE.matcher(text == null ? "" : text);
        if (!m.matches() || !validAccess(m.group(4))) {
            throw PouchException.invalidArgument("invalid device cgroup rule format: '" + text + "'");
        }
        return new DeviceRule(true, m.group(1), number(m.group(2)), number(m.group(3)), m.group(4));
    }

    /** {@code r}, {@code w}, {@code m}, each at most once (runc rejects a repeated letter). */
    public static boolean validAccess(String access) {
        if (access == null || access.isEmpty() || access.length() > 3) {
            return false;
        }
        for (int i = 0; i < access.length(); i++) {
            char c = access.charAt(i);
            if ("rwm".indexOf(c) < 0 || access.indexOf(c) != i) {
                return false;
            }
        }
        return true;
    }

    public ObjectNode toSpec() {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("allow", allow);
        d.put("type", type);
        if (major != null) {
            d.put("major", major);
        }
        if (minor != null) {
            d.put("minor", minor);
        }
        d.put("access", access);
        return d;
    }

    private static Long number(String s) {
        return "*".equals(s) ? null : Long.parseLong(s);
    }
}
