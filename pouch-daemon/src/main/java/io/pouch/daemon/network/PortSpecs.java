package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsing of published ports: the API's PortBindings/ExposedPorts and the CLI's {@code -p} syntax. */
public final class PortSpecs {
    private PortSpecs() {
    }

    /**
     * A port to publish. hostPortLow = hostPortHigh = 0 means "choose a free one".
     */
    public record Request(String proto, int containerPort, String hostIp, int hostPortLow, int hostPortHigh) {
    }

    /** "80/tcp" or "80" to (port, proto). */
    static Object[] portKey(String key) {
        String proto = "tcp";
        String p = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            proto = key.substring(slash + 1).toLowerCase();
            p = key.substring(0, slash);
        }
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw PouchException.invalidArgument("invalid proto: " + proto);
        }
        return new Object[] {port(p, "container port"), proto};
    }

    static int port(String s, String what) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0 || v > 65535) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid " + what + ": " + s);
        }
    }

    /** "", "0", "8080" or "8080-8090" to {low, high}. */
    static int[] hostRange(String s) {
        if (s == null || s.isEmpty()) {
            return new int[] {0, 0};
        }
        int dash = s.indexOf('-');
        if (dash < 0) {
            int v = port(s, "hostPort");
            return new int[] {v, v};
        }
        int lo = port(s.substring(0, dash), "hostPort");
        int hi = port(s.substring(dash + 1), "hostPort");
        if (hi < lo) {
            throw PouchException.invalidArgument("invalid hostPort: " + s);
        }
        return new int[] {lo, hi};
    }

    /**
     * The requests as published on one endpoint: one without a host address takes the network's
     * {@code host_binding_ipv4} ("" for every address); one on an IPv6 host address is published only on an
     * endpoint with IPv6 (the create refused it for a network without: {@link NetworkModes#validate}), and skipped
     * on a network connected later in its place, which only a userland proxy could forward to.
     */
    static List<Request> withHostIp(List<Request> reqs, String hostBinding, boolean ipv6) {
        List<Request> out = new ArrayList<>();
        for (Request r : reqs) {
            if (Cidr6.isV6(r.hostIp())) {
                if (ipv6) {
                    out.add(r);
                }
            } else if (r.hostIp().isEmpty() && !hostBinding.isEmpty()) {
                out.add(new Request(r.proto(), r.containerPort(), hostBinding, r.hostPortLow(), r.hostPortHigh()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * HostConfig.PortBindings (plus, with PublishAllPorts, every ExposedPorts entry not bound explicitly) to
     * requests. Unknown shapes are a 400, never a crash.
     */
    @SuppressWarnings("unchecked")
    public static List<Request> requests(Map<String, Object> bindings, Map<String, Object> exposed,
                                         boolean publishAll) {
        List<Request> out = new ArrayList<>();
        Map<String, Object> b = bindings == null ? Map.of() : bindings;
        for (Map.Entry<String, Object> e : b.entrySet()) {
            Object[] k = portKey(e.getKey());
            if (!(e.getValue() instanceof List<?> list) || list.isEmpty()) {
                if (publishAll || e.getValue() instanceof List<?>) {
                    out.add(new Request((String) k[1], (int) k[0], "", 0, 0));
                }
                continue;
            }
            for (Object o : list) {
                Map<String, Object> m = o instanceof Map<?, ?> mm ? (Map<String, Object>) mm : Map.of();
                String ip = m.get("HostIp") == null ? "" : m.get("HostIp").toString();
                if (!ip.isEmpty() && !ip.equals("0.0.0.0") && Cidr.parseAddress(ip) == null) {
                    String v6 = Cidr6.canonicalAddress(ip.startsWith("[") && ip.endsWith("]")
                            ? ip.substring(1, ip.length() - 1) : ip);
                    if (v6 == null) {
                        throw PouchException.invalidArgument("invalid IP address: " + ip);
                    }
                    if (v6.equals("::1")) {
                        // IPv6 has no route_localnet: a reply NATed back to ::1 arriving on the bridge is dropped
                        throw PouchException.invalidArgument("invalid HostIp ::1 of " + e.getKey() + ": a port on the"
                                + " IPv6 loopback address needs a userland proxy, which pouchd does not run;"
                                + " publish on :: or another address of the host");
                    }
                    ip = v6;
                }
                if (ip.equals("0.0.0.0")) {
                    ip = "";
                }
                int[] r = hostRange(m.get("HostPort") == null ? "" : m.get("HostPort").toString());
                out.add(new Request((String) k[1], (int) k[0], ip, r[0], r[1]));
            }
        }
        if (publishAll && exposed != null) {
            for (String key : exposed.keySet()) {
                Object[] k = portKey(key);
                boolean bound = out.stream().anyMatch(r -> r.containerPort() == (int) k[0] && r.proto().equals(k[1]));
                if (!bound) {
                    out.add(new Request((String) k[1], (int) k[0], "", 0, 0));
                }
            }
        }
        return out;
    }

    /**
     * The CLI's {@code -p [ip:][hostPort:]containerPort[/proto]} with ranges on either side, to PortBindings
     * entries keyed "port/proto", each {HostIp, HostPort}. Equal-length ranges pair up one to one; a host range
     * against one container port lets the daemon choose within it.
     */
    public static Map<String, List<Map<String, String>>> parse(String spec) {
        String proto = "tcp";
        String s = spec;
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1);
            s = s.substring(0, slash);
        }
        String ip = "";
        String host = "";
        String container;
        int lastColon = s.lastIndexOf(':');
        if (lastColon < 0) {
            container = s;
        } else {
            container = s.substring(lastColon + 1);
            String rest = s.substring(0, lastColon);
            int c = rest.lastIndexOf(':');
            if (c < 0) {
                host = rest;
            } else {
                ip = rest.substring(0, c);
                host = rest.substring(c + 1);
                if (ip.startsWith("[") && ip.endsWith("]")) {
                    ip = ip.substring(1, ip.length() - 1);
                }
                if (!ip.isEmpty() && Cidr.parseAddress(ip) == null && !ip.contains(":")) {
                    throw PouchException.invalidArgument("invalid IP address: " + ip);
                }
            }
        }
        if (container.isEmpty()) {
            throw PouchException.invalidArgument("no port specified: " + spec + "<empty>");
        }
        int[] cr = hostRange(container.replace("container", ""));
        if (cr[0] == 0) {
            throw PouchException.invalidArgument("invalid containerPort: " + container);
        }
        portKey("1/" + proto);
        int[] hr = hostRange(host);
        Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
        int n = cr[1] - cr[0] + 1;
        int hn = hr[1] - hr[0] + 1;
        if (hr[0] != 0 && n > 1 && hn != n) {
            throw PouchException.invalidArgument("invalid ranges specified for container and host Ports: "
                    + container + " and " + host);
        }
        for (int i = 0; i < n; i++) {
            String hp;
            if (hr[0] == 0) {
                hp = "";
            } else if (n == 1) {
                hp = hr[0] == hr[1] ? Integer.toString(hr[0]) : hr[0] + "-" + hr[1];
            } else {
                hp = Integer.toString(hr[0] + i);
            }
            Map<String, String> b = new LinkedHashMap<>();
            b.put("HostIp", ip);
            b.put("HostPort", hp);
            out.computeIfAbsent((cr[0] + i) + "/" + proto, k -> new ArrayList<>()).add(b);
        }
        return out;
    }
}
