package io.pouch.daemon.network;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.api.network.EndpointSettings;
import io.pouch.api.network.NetworkInspect;
import io.pouch.api.network.Port;
import io.pouch.api.network.PortBinding;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API shows of networks and of containers' endpoints, in Docker's shapes: network inspect and list, a
 * container's {@code NetworkSettings} in inspect, its {@code Ports} and {@code Networks} in the container list.
 * Reads the stores without the network lock (they are concurrent maps; a view may be a moment old).
 */
final class NetworkViews {
    private final NetworkStore networks;
    private final ContainerNets containers;
    private final DataPlane plane;

    NetworkViews(NetworkStore networks, ContainerNets containers, DataPlane plane) {
        this.networks = networks;
        this.containers = containers;
        this.plane = plane;
    }

    /** {@code GET /networks/{id}} and each element of {@code GET /networks}. */
    NetworkInspect inspect(NetworkRecord n) {
        List<NetworkInspect.IpamConfig> cfg = new ArrayList<>();
        if (n.isBridge()) {
            cfg.add(new NetworkInspect.IpamConfig(n.subnet(), n.ipRange().isEmpty() ? null : n.ipRange(), n.gateway(),
                    n.aux().isEmpty() ? null : n.aux()));
            if (n.hasIpv6()) {
                cfg.add(new NetworkInspect.IpamConfig(n.subnet6(), n.ipRange6().isEmpty() ? null : n.ipRange6(),
                        n.gateway6(), n.aux6().isEmpty() ? null : n.aux6()));
            }
        }
        Map<String, NetworkInspect.EndpointResource> cs = new LinkedHashMap<>();
        containers.attached(n.id()).forEach((id, e) -> cs.put(id, new NetworkInspect.EndpointResource(
                containers.name(id), e.endpointId(), e.mac(), e.ip() + "/" + e.prefix(),
                e.ip6().isEmpty() ? "" : e.ip6() + "/" + e.prefix6())));
        return new NetworkInspect(n.name(), n.id(), n.created(), "local", n.driver(), true, n.hasIpv6(),
                new NetworkInspect.Ipam("default", n.ipamOptions(), cfg), n.internal(), n.attachable(), false,
                new NetworkInspect.ConfigReference(""), false, cs, n.options(), n.labels());
    }

    /** {@code NetworkSettings} of container inspect, as Docker shows it. */
    ContainerInspect.NetworkSettings settings(String containerId, Map<String, Object> exposed) {
        ContainerNet c = containers.get(containerId);
        if (c == null) {
            return ContainerInspect.NetworkSettings.unattached("");
        }
        EndpointRecord top = null; // the default bridge's endpoint fills the top-level fields, as in Docker
        for (String nid : c.wanted().keySet()) {
            NetworkRecord n = networks.get(nid);
            EndpointRecord e = n == null ? null : active(c, n.id());
            if (e != null && n.isDefaultBridge()) {
                top = e;
            }
        }
        Map<String, List<PortBinding>> ports = new LinkedHashMap<>();
        if (!c.active().isEmpty()) {
            if (exposed != null) {
                for (String k : exposed.keySet()) {
                    ports.put(k.contains("/") ? k : k + "/tcp", null);
                }
            }
            for (EndpointRecord e : c.active()) {
                for (PortMapping p : e.ports()) {
                    ports.computeIfAbsent(p.key(), k -> new ArrayList<>())
                            .add(new PortBinding(p.shownHostIp(), Integer.toString(p.hostPort())));
                }
            }
        }
        String sandbox = c.active().isEmpty() ? "" : plane.netnsPath(containerId).toString();
        return new ContainerInspect.NetworkSettings("", c.active().isEmpty() ? "" : containerId, false, "", 0,
                Collections.unmodifiableMap(ports), sandbox, null, null, top == null ? "" : top.endpointId(),
                top == null ? "" : top.gateway(), top == null ? "" : top.ip6(), top == null ? 0 : top.prefix6(),
                top == null ? "" : top.ip(), top == null ? 0 : top.prefix(),
                top == null ? "" : top.gateway6(), top == null ? "" : top.mac(), Collections.unmodifiableMap(endpoints(c)));
    }

    /** {@code NetworkSettings.Networks} of the container list: the container's networks, by name. */
    Map<String, EndpointSettings> endpoints(String containerId) {
        ContainerNet c = containers.get(containerId);
        return c == null ? Map.of() : endpoints(c);
    }

    /** One entry per network the container wants and that exists, live values while it runs. */
    private Map<String, EndpointSettings> endpoints(ContainerNet c) {
        Map<String, EndpointSettings> nets = new LinkedHashMap<>();
        for (Map.Entry<String, EndpointConfig> w : c.wanted().entrySet()) {
            NetworkRecord n = networks.get(w.getKey());
            if (n == null) {
                continue;
            }
            EndpointRecord e = active(c, n.id());
            EndpointConfig ec = w.getValue();
            List<String> aliases = e == null ? ec.aliases() : e.aliases();
            List<String> names = new ArrayList<>();
            if (e != null && !n.isDefaultBridge()) {
                names.add(c.name());
                names.addAll(e.aliases());
            }
            nets.put(n.name(), new EndpointSettings(
                    ipamConfig(ec),
                    n.isDefaultBridge() && !c.links().isEmpty() ? c.links() : null,
                    aliases.isEmpty() ? null : aliases,
                    e == null ? ec.macAddress() : e.mac(),
                    null,
                    n.id(),
                    e == null ? "" : e.endpointId(),
                    e == null ? "" : e.gateway(),
                    e == null ? "" : e.ip(),
                    e == null ? 0 : e.prefix(),
                    e == null ? "" : e.gateway6(), e == null ? "" : e.ip6(), e == null ? 0 : e.prefix6(),
                    names.isEmpty() ? null : names));
        }
        return nets;
    }

    /** {@code IPAMConfig} as asked for; null (left out) when nothing was. */
    private static EndpointSettings.EndpointIpamConfig ipamConfig(EndpointConfig ec) {
        if (ec.ipv4Address().isEmpty() && ec.ipv6Address().isEmpty() && ec.linkLocalIps().isEmpty()) {
            return null;
        }
        return new EndpointSettings.EndpointIpamConfig(ec.ipv4Address().isEmpty() ? null : ec.ipv4Address(),
                ec.ipv6Address().isEmpty() ? null : ec.ipv6Address(),
                ec.linkLocalIps().isEmpty() ? null : ec.linkLocalIps());
    }

    private static EndpointRecord active(ContainerNet c, String networkId) {
        return c.active().stream().filter(x -> x.networkId().equals(networkId)).findFirst().orElse(null);
    }

    /**
     * {@code Ports} of {@code GET /containers/json}: the published ports, then each exposed port that is not
     * published (an exposed key that is not a port is left out).
     */
    List<Port> summaryPorts(String containerId, Map<String, Object> exposed) {
        ContainerNet c = containers.get(containerId);
        List<PortMapping> published = new ArrayList<>();
        if (c != null) {
            c.active().forEach(e -> published.addAll(e.ports()));
        }
        List<Port> out = new ArrayList<>();
        for (PortMapping p : published) {
            out.add(new Port(p.shownHostIp(), p.containerPort(), p.hostPort(), p.proto()));
        }
        if (exposed != null) {
            for (String k : exposed.keySet()) {
                Object[] pk;
                try {
                    pk = PortSpecs.portKey(k);
                } catch (PouchException e) {
                    continue;
                }
                int port = (int) pk[0];
                String proto = (String) pk[1];
                if (published.stream().noneMatch(p -> p.containerPort() == port && p.proto().equals(proto))) {
                    out.add(Port.exposed(port, proto));
                }
            }
        }
        return out;
    }
}
