package io.pouch.cli.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.CliException;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/**
 * The networking flags of {@code run} and {@code create} (docker's names), mixed into ContainerOptions, and their
 * place in the create body: Config.ExposedPorts, HostConfig.{PortBindings, PublishAllPorts, Dns*, ExtraHosts, Links}
 * and the endpoint of the container's network (IPAMConfig.{IPv4Address, IPv6Address, LinkLocalIPs}, Aliases,
 * MacAddress).
 */
public final class NetworkOptions {
    @Option(names = {"-p", "--publish"}, paramLabel = "[IP:]HOST:CONTAINER[/PROTO]",
            description = "Publish a container's port(s) to the host")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-P", "--publish-all"}, description = "Publish all exposed ports to random ports")
    boolean publishAll;

    @Option(names = "--expose", paramLabel = "PORT[-PORT][/PROTO]", description = "Expose a port or a range of ports")
    List<String> expose = new ArrayList<>();

    @Option(names = "--ip", description = "IPv4 address (e.g., 172.30.100.104)")
    String ip;

    @Option(names = "--ip6", description = "IPv6 address (e.g., 2001:db8::33)")
    String ip6;

    @Option(names = "--link-local-ip", description = "Container IPv4/IPv6 link-local addresses")
    List<String> linkLocalIps = new ArrayList<>();

    @Option(names = "--mac-address", description = "Container MAC address (e.g., 92:d0:c6:0a:29:33)")
    String macAddress;

    @Option(names = {"--network-alias", "--net-alias"}, description = "Add network-scoped alias for the container")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--dns", description = "Set custom DNS servers")
    List<String> dns = new ArrayList<>();

    @Option(names = "--dns-search", description = "Set custom DNS search domains")
    List<String> dnsSearch = new ArrayList<>();

    @Option(names = {"--dns-option", "--dns-opt"}, description = "Set DNS options")
    List<String> dnsOptions = new ArrayList<>();

    @Option(names = "--add-host", paramLabel = "HOST:IP", description = "Add a custom host-to-IP mapping (host:ip)")
    List<String> addHost = new ArrayList<>();

    @Option(names = "--link", paramLabel = "CONTAINER[:ALIAS]", description = "Add link to another container")
    List<String> links = new ArrayList<>();

    /**
     * Fills the create body. {@code endpoint} is the EndpointsConfig entry of the container's network; it stays
     * empty when none of --ip, --network-alias, --mac-address is given.
     */
    public void apply(ObjectNode body, ObjectNode hostConfig, ObjectNode endpoint) {
        ObjectNode exposed = body.objectNode();
        ObjectNode bindings = hostConfig.objectNode();
        PortFlags.apply(publish, expose, exposed, bindings);
        if (!exposed.isEmpty()) {
            body.set("ExposedPorts", exposed);
        }
        if (!bindings.isEmpty()) {
            hostConfig.set("PortBindings", bindings);
        }
        if (publishAll) {
            hostConfig.put("PublishAllPorts", true);
        }
        if (!dns.isEmpty()) {
            for (String d : dns) {
                if (!isIp(d)) {
                    throw new CliException("invalid argument \"" + d + "\" for \"--dns\" flag: " + d
                            + " is not an ip address", 125);
                }
            }
            strings(hostConfig.putArray("Dns"), dns);
        }
        if (!dnsSearch.isEmpty()) {
            strings(hostConfig.putArray("DnsSearch"), dnsSearch);
        }
        if (!dnsOptions.isEmpty()) {
            strings(hostConfig.putArray("DnsOptions"), dnsOptions);
        }
        if (!addHost.isEmpty()) {
            ArrayNode hosts = hostConfig.putArray("ExtraHosts");
            for (String h : addHost) {
                hosts.add(extraHost(h));
            }
        }
        if (!links.isEmpty()) {
            ArrayNode l = hostConfig.putArray("Links");
            for (String link : links) {
                l.add(link(link));
            }
        }
        if (ip != null) {
            if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                throw new CliException("invalid argument \"" + ip + "\" for \"--ip\" flag: invalid string being"
                        + " converted to IP address: " + ip, 125);
            }
            ipam(endpoint).put("IPv4Address", ip);
        }
        if (ip6 != null) {
            if (!ip6.contains(":") || !isIp(ip6)) {
                throw new CliException("invalid argument \"" + ip6 + "\" for \"--ip6\" flag: invalid string being"
                        + " converted to IP address: " + ip6, 125);
            }
            ipam(endpoint).put("IPv6Address", ip6);
        }
        if (!linkLocalIps.isEmpty()) {
            strings(ipam(endpoint).putArray("LinkLocalIPs"), linkLocalIps);
        }
        if (!aliases.isEmpty()) {
            strings(endpoint.putArray("Aliases"), aliases);
        }
        if (macAddress != null) {
            if (!macAddress.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
                throw new CliException(macAddress + " is not a valid mac address", 125);
            }
            endpoint.put("MacAddress", macAddress);
        }
    }

    private static ObjectNode ipam(ObjectNode endpoint) {
        return endpoint.has("IPAMConfig") ? (ObjectNode) endpoint.get("IPAMConfig") : endpoint.putObject("IPAMConfig");
    }

    /** docker accepts host:ip and host=ip and sends host:ip; the ip may be IPv6 or the word host-gateway. */
    static String extraHost(String spec) {
        int sep = spec.indexOf('=');
        if (sep < 0) {
            sep = spec.indexOf(':');
        }
        String host = sep < 0 ? "" : spec.substring(0, sep);
        String addr = sep < 0 ? "" : spec.substring(sep + 1);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        if (host.isEmpty() || addr.isEmpty() || !(isIp(addr) || addr.equals("host-gateway"))) {
            throw new CliException("invalid argument \"" + spec + "\" for \"--add-host\" flag: bad format for"
                    + " add-host: \"" + spec + "\"", 125);
        }
        return host + ":" + addr;
    }

    /** {@code name} alone links under its own name, as docker's CLI sends it. */
    static String link(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
            throw new CliException("invalid argument \"" + spec + "\" for \"--link\" flag: bad format for links: "
                    + spec, 125);
        }
        return parts.length == 1 ? spec + ":" + spec : spec;
    }

    private static boolean isIp(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (s.contains(":") && s.matches("[0-9a-fA-F:.%a-zA-Z0-9]+"));
    }

    private static void strings(ArrayNode to, List<String> values) {
        values.forEach(to::add);
    }
}
