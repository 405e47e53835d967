package io.pouch.cli.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;

import java.util.List;
import java.util.Locale;

/**
 * The client half of docker's {@code nat.ParsePortSpecs}: {@code -p [ip:][hostPort:]containerPort[/proto]} and
 * {@code --expose port[-port][/proto]} to the create body's {@code ExposedPorts} and {@code HostConfig.PortBindings}.
 * The daemon checks the result again (io.pouch.daemon.network.PortSpecs); this side only has to reject what docker's
 * CLI rejects, with its wording and exit code 125, before anything is created.
 */
public final class PortFlags {
    private PortFlags() {
    }

    /** Adds every {@code -p} and {@code --expose} value to {@code exposed} ({"80/tcp":{}}) and {@code bindings}. */
    public static void apply(List<String> publish, List<String> expose, ObjectNode exposed, ObjectNode bindings) {
        for (String e : expose) {
            expose(e, exposed);
        }
        for (String p : publish) {
            publish(p, exposed, bindings);
        }
    }

    static void expose(String spec, ObjectNode exposed) {
        // an ip or host port makes no sense for --expose; docker refuses it with the same message
        if (spec.contains(":")) {
            throw new CliException("invalid port format for --expose: " + spec, 125);
        }
        String[] pp = splitProto(spec);
        int[] range = range(pp[0], spec);
        for (int p = range[0]; p <= range[1]; p++) {
            exposed.putObject(p + "/" + pp[1]);
        }
    }

    static void publish(String spec, ObjectNode exposed, ObjectNode bindings) {
        String rest = spec;
        String ip = "";
        // [ipv6]:host:container keeps its brackets out of the colon split
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new CliException("invalid IP address: " + spec, 125);
            }
            ip = rest.substring(1, close);
            rest = rest.substring(close + 2);
            int colon = rest.indexOf(':');
            String host = colon < 0 ? "" : rest.substring(0, colon);
            String container = colon < 0 ? rest : rest.substring(colon + 1);
            bind(spec, ip, host, container, exposed, bindings);
            return;
        }
        String[] parts = rest.split(":", -1);
        String host;
        String container;
        switch (parts.length) {
            case 1 -> {
                host = "";
                container = parts[0];
            }
            case 2 -> {
                host = parts[0];
                container = parts[1];
            }
            case 3 -> {
                ip = parts[0];
                host = parts[1];
                container = parts[2];
            }
            default -> throw new CliException("invalid port format for --publish: " + spec
                    + " (expected [ip:]hostPort:containerPort[/proto])", 125);
        }
        if (!ip.isEmpty() && !looksLikeIp(ip)) {
            throw new CliException("invalid IP address: " + ip, 125);
        }
        bind(spec, ip, host, container, exposed, bindings);
    }

    private static void bind(String spec, String ip, String host, String container, ObjectNode exposed,
                             ObjectNode bindings) {
        if (container.isEmpty() || container.startsWith("/")) {
            throw new CliException("no port specified: " + spec + "<empty>", 125);
        }
        String[] pp = splitProto(container);
        int[] cr = range(pp[0], spec);
        int[] hr = host.isEmpty() ? null : range(host, spec);
        int count = cr[1] - cr[0] + 1;
        if (hr != null && count > 1 && hr[1] - hr[0] + 1 != count) {
            throw new CliException("invalid ranges specified for container and host Ports: " + container + " and "
                    + host, 125);
        }
        for (int i = 0; i < count; i++) {
            String key = (cr[0] + i) + "/" + pp[1];
            exposed.putObject(key);
            String hostPort;
            if (hr == null) {
                hostPort = "";
            } else if (count > 1) {
                hostPort = Integer.toString(hr[0] + i);
            } else {
                // one container port and a host range: the daemon picks a free port in the range
                hostPort = hr[0] == hr[1] ? Integer.toString(hr[0]) : hr[0] + "-" + hr[1];
            }
            ArrayNode list = bindings.has(key) ? (ArrayNode) bindings.get(key) : bindings.putArray(key);
            ObjectNode b = list.addObject();
            b.put("HostIp", ip);
            b.put("HostPort", hostPort);
        }
    }

    /** "80/udp" to {"80", "udp"}; the protocol defaults to tcp. */
    private static String[] splitProto(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return new String[]{s, "tcp"};
        }
        String proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
        if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
            throw new CliException("invalid proto: " + proto, 125);
        }
        return new String[]{s.substring(0, slash), proto};
    }

    /** "80" or "8000-8010" to {low, high}, 1..65535 (docker rejects 0 in a spec). */
    static int[] range(String s, String spec) {
        int dash = s.indexOf('-');
        int lo = port(dash < 0 ? s : s.substring(0, dash), spec);
        int hi = dash < 0 ? lo : port(s.substring(dash + 1), spec);
        if (hi < lo) {
            throw new CliException("invalid range specified for port: " + s, 125);
        }
        return new int[]{lo, hi};
    }

    private static int port(String s, String spec) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0 || v > 65535) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CliException("invalid port format for --publish: " + spec + " (invalid port: '" + s + "')",
                    125);
        }
    }

    /** A plain IPv4 or IPv6 literal: no host names (docker does not resolve them either). */
    private static boolean looksLikeIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9a-fA-F:.]+"));
    }
}
