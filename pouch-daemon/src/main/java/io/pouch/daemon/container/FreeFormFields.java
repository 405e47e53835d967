package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.network.Cidr;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The create request's free-form maps, whose values the shared records keep as plain JSON (so they are echoed by
 * inspect as given): {@code HostConfig.PortBindings}, {@code Config.ExposedPorts} and {@code Config.Volumes}. Their
 * shapes are checked here as Go's decoder and dockerd's create checks them, so that nothing the docker CLI cannot
 * read back is stored: a 400 names the field, with dockerd's {@code invalid port specification} for a bad port.
 */
final class FreeFormFields {
    private FreeFormFields() {
    }

    static void check(ContainerConfig cfg, HostConfig hc) {
        if (hc != null && hc.portBindings() != null) {
            hc.portBindings().forEach(FreeFormFields::checkBinding);
        }
        if (cfg != null && cfg.exposedPorts() != null) {
            cfg.exposedPorts().forEach((port, v) -> {
                checkPortKey(port, true);
                emptyObject("ExposedPorts." + port, v);
            });
        }
        if (cfg != null && cfg.volumes() != null) {
            cfg.volumes().forEach((path, v) -> emptyObject("Volumes." + path, v));
        }
    }

    /** {@code "80/tcp": [{"HostIp": "", "HostPort": "8080"}]}: the key one container port, the host port a range. */
    private static void checkBinding(String port, Object value) {
        checkPortKey(port, false);
        String field = "HostConfig.PortBindings." + port;
        if (value == null) {
            return;
        }
        if (!(value instanceof List<?> list)) {
            throw PouchException.invalidArgument("invalid value for " + field + ": " + kind(value)
                    + " is not an array");
        }
        for (int i = 0; i < list.size(); i++) {
            String at = field + "[" + i + "]";
            if (list.get(i) == null) {
                continue;
            }
            if (!(list.get(i) instanceof Map<?, ?> b)) {
                throw PouchException.invalidArgument("invalid value for " + at + ": " + kind(list.get(i))
                        + " is not an object");
            }
            String ip = string(at + ".HostIp", b.get("HostIp"));
            String hostPort = string(at + ".HostPort", b.get("HostPort"));
            if (!ip.isEmpty() && !isIp(ip)) {
                throw PouchException.invalidArgument("invalid IP address: " + ip);
            }
            if (!hostPort.isEmpty() && !isPortOrRange(hostPort)) {
                throw PouchException.invalidArgument("invalid port specification: \"" + hostPort + "\"");
            }
        }
    }

    /** {@code port[/proto]}, proto tcp, udp or sctp; a range only where dockerd stores one as given. */
    private static void checkPortKey(String key, boolean rangeAllowed) {
        int slash = key.indexOf('/');
        String port = slash < 0 ? key : key.substring(0, slash);
        String proto = slash < 0 ? "tcp" : key.substring(slash + 1);
        if (!(rangeAllowed ? isPortOrRange(port) : isPort(port))) {
            throw PouchException.invalidArgument("invalid port specification: \"" + port + "\"");
        }
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw PouchException.invalidArgument("invalid proto: " + proto);
        }
    }

    private static boolean isPort(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        return Integer.parseInt(s) <= 65535;
    }

    private static boolean isPortOrRange(String s) {
        int dash = s.indexOf('-');
        if (dash < 0) {
            return isPort(s);
        }
        String lo = s.substring(0, dash);
        String hi = s.substring(dash + 1);
        return isPort(lo) && isPort(hi) && Integer.parseInt(lo) <= Integer.parseInt(hi);
    }

    private static boolean isIp(String s) {
        if (!s.contains(":")) {
            return Cidr.parseAddress(s) != null;
        }
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String string(String field, Object v) {
        if (v == null) {
            return "";
        }
        if (!(v instanceof String s)) {
            throw PouchException.invalidArgument("invalid value for " + field + ": " + kind(v) + " is not a string");
        }
        return s;
    }

    /** Go's {@code struct{}} values: an object (whose fields are ignored) or null. */
    private static void emptyObject(String field, Object v) {
        if (v != null && !(v instanceof Map<?, ?>)) {
            throw PouchException.invalidArgument("invalid value for " + field + ": " + kind(v) + " is not an object");
        }
    }

    private static String kind(Object v) {
        return switch (v) {
            case String s -> "\"" + s + "\"";
            case Number n -> "the number " + n;
            case Boolean b -> "the boolean " + b;
            case List<?> l -> "an array";
            case Map<?, ?> m -> "an object";
            default -> "the value";
        };
    }
}
