package io.pouch.cli.network;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import picocli.CommandLine.Option;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags of {@code network create} (docker's names, and Pouch's where they differ: {@code --enable-ipv6},
 * {@code --option}, {@code -l}) and the body of POST /networks/create as the docker CLI 28 builds it: every
 * --ip-range, --gateway and --aux-address goes with the --subnet that contains it.
 */
public final class NetworkCreateFlags {
    @Option(names = {"-d", "--driver"}, description = "Driver to manage the Network", defaultValue = "bridge")
    String driver;

    @Option(names = "--subnet", description = "Subnet in CIDR format that represents a network segment")
    List<String> subnets = new ArrayList<>();

    @Option(names = "--gateway", description = "IPv4 or IPv6 Gateway for the master subnet")
    List<String> gateways = new ArrayList<>();

    @Option(names = "--ip-range", description = "Allocate container ip from a sub-range")
    List<String> ranges = new ArrayList<>();

    @Option(names = "--aux-address", paramLabel = "NAME=IP",
            description = "Auxiliary IPv4 or IPv6 addresses used by Network driver")
    List<String> auxAddresses = new ArrayList<>();

    @Option(names = "--ipam-driver", description = "IP Address Management Driver", defaultValue = "default")
    String ipamDriver;

    @Option(names = "--ipam-opt", paramLabel = "KEY=VALUE", description = "Set IPAM driver specific options")
    List<String> ipamOpts = new ArrayList<>();

    @Option(names = {"--ipv6", "--enable-ipv6"}, arity = "0..1", fallbackValue = "true",
            description = "Enable or disable IPv6 address assignment")
    Boolean ipv6;

    @Option(names = "--ipv4", arity = "0..1", fallbackValue = "true",
            description = "Enable or disable IPv4 address assignment (default true)")
    Boolean ipv4;

    @Option(names = "--internal", description = "Restrict external access to the network")
    boolean internal;

    @Option(names = "--attachable", description = "Enable manual container attachment")
    boolean attachable;

    @Option(names = "--ingress", description = "Create swarm routing-mesh network")
    boolean ingress;

    @Option(names = "--config-only", description = "Create a configuration only network")
    boolean configOnly;

    @Option(names = "--config-from", description = "The network from which to copy the configuration")
    String configFrom;

    @Option(names = "--scope", description = "Control the network's scope")
    String scope;

    @Option(names = {"-l", "--label"}, description = "Set metadata on a network")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-o", "--opt", "--option"}, paramLabel = "KEY=VALUE", description = "Set driver specific options")
    List<String> opts = new ArrayList<>();

    ObjectNode body(String name) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("Driver", driver);
        body.put("Scope", scope == null ? "" : scope);
        if (ipv4 != null) {
            body.put("EnableIPv4", ipv4);
        }
        if (ipv6 != null) {
            body.put("EnableIPv6", ipv6);
        }
        ObjectNode ipam = body.putObject("IPAM");
        ipam.put("Driver", ipamDriver);
        ipam.set("Options", NetworkCommands.keyValues(ipamOpts));
        ipam.putArray("Config").addAll(ipamConfig(subnets, ranges, gateways, auxAddresses).values());
        body.put("Internal", internal);
        body.put("Attachable", attachable);
        body.put("Ingress", ingress);
        body.put("ConfigOnly", configOnly);
        if (configFrom == null || configFrom.isEmpty()) {
            body.putNull("ConfigFrom");
        } else {
            body.putObject("ConfigFrom").put("Network", configFrom);
        }
        body.set("Options", NetworkCommands.keyValues(opts));
        body.set("Labels", NetworkCommands.keyValues(labels));
        body.put("Name", name);
        return body;
    }

    /** docker's createIPAMConfig: one entry per subnet, in the order given, with what falls inside it. */
    static Map<String, ObjectNode> ipamConfig(List<String> subnets, List<String> ranges, List<String> gateways,
                                              List<String> aux) {
        if (subnets.size() < ranges.size() || subnets.size() < gateways.size()) {
            throw new CliException("every ip-range or gateway must have a corresponding subnet");
        }
        Map<String, ObjectNode> config = new LinkedHashMap<>();
        for (String s : subnets) {
            for (String k : config.keySet()) {
                if (matches(s, k) || matches(k, s)) {
                    throw new CliException("multiple overlapping subnet configuration is not supported");
                }
            }
            config.put(s, Json.MAPPER.createObjectNode().put("Subnet", s));
        }
        for (String r : ranges) {
            place(config, "IPRange", r, "cannot configure multiple ranges (%s, %s) on the same subnet (%s)",
                    "no matching subnet for range ");
        }
        for (String g : gateways) {
            place(config, "Gateway", g, "cannot configure multiple gateways (%s, %s) for the same subnet (%s)",
                    "no matching subnet for gateway ");
        }
        for (String a : aux) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new CliException("invalid argument \"" + a + "\" for \"--aux-address\" flag: bad format "
                        + "for aux-address: " + a);
            }
            String key = a.substring(0, eq);
            String addr = a.substring(eq + 1);
            boolean match = false;
            for (Map.Entry<String, ObjectNode> e : config.entrySet()) {
                if (matches(e.getKey(), addr)) {
                    ObjectNode c = e.getValue();
                    (c.has("AuxiliaryAddresses") ? (ObjectNode) c.get("AuxiliaryAddresses")
                            : c.putObject("AuxiliaryAddresses")).put(key, addr);
                    match = true;
                }
            }
            if (!match) {
                throw new CliException("no matching subnet for aux-address " + addr);
            }
        }
        return config;
    }

    private static void place(Map<String, ObjectNode> config, String field, String value, String twice,
                              String none) {
        boolean match = false;
        for (Map.Entry<String, ObjectNode> e : config.entrySet()) {
            if (!matches(e.getKey(), value)) {
                continue;
            }
            if (e.getValue().has(field)) {
                throw new CliException(String.format(twice, value, e.getValue().get(field).asText(), e.getKey()));
            }
            e.getValue().put(field, value);
            match = true;
        }
        if (!match) {
            throw new CliException(none + value);
        }
    }

    /** Whether the address (or the address part of a CIDR) {@code data} lies inside the CIDR {@code subnet}. */
    static boolean matches(String subnet, String data) {
        int slash = subnet.indexOf('/');
        byte[] net = slash < 0 ? null : literal(subnet.substring(0, slash));
        int bits;
        try {
            bits = slash < 0 ? -1 : Integer.parseInt(subnet.substring(slash + 1));
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if (net == null || bits < 0 || bits > net.length * 8) {
            throw new CliException("invalid subnet " + subnet + ": invalid CIDR address: " + subnet);
        }
        int dslash = data.indexOf('/');
        byte[] ip = literal(dslash < 0 ? data : data.substring(0, dslash));
        if (ip == null) {
            if (dslash >= 0) {
                throw new CliException("invalid CIDR address: " + data);
            }
            return false;
        }
        if (ip.length != net.length) {
            return false;
        }
        int shift = net.length * 8 - bits;
        return new BigInteger(1, net).shiftRight(shift).equals(new BigInteger(1, ip).shiftRight(shift));
    }

    /** The bytes of an IPv4 or IPv6 literal; null for anything else (no name is ever looked up). */
    private static byte[] literal(String s) {
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            return null;
        }
        if (v4) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
