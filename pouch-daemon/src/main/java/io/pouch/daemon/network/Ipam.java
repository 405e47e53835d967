package io.pouch.daemon.network;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.sys.AtomicFiles;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Address leases per network, persisted on every change (one small JSON file, written atomically), so an address
 * is never given twice, is released on removal, and survives a daemon restart.
 * The file maps network id to (address to owner), the owner being a container id.
 */
public final class Ipam {
    private final Path file;
    private final Map<String, Map<String, String>> leases;

    public Ipam(Path file) {
        this.file = file;
        this.leases = load(file);
    }

    private static Map<String, Map<String, String>> load(Path file) {
        if (!Files.exists(file)) {
            return new HashMap<>();
        }
        try {
            Map<String, Map<String, String>> m = Json.MAPPER.readValue(file.toFile(),
                    new TypeReference<Map<String, Map<String, String>>>() { });
            Map<String, Map<String, String>> out = new HashMap<>();
            m.forEach((k, v) -> out.put(k, new TreeMap<>(v)));
            return out;
        } catch (IOException e) {
            throw PouchException.internal("cannot read the address leases in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Leases an address of the network's pool to owner: the requested one (which must lie in the subnet and be
     * free) or the lowest free one. Network, broadcast and gateway addresses are never handed out.
     */
    public synchronized String allocate(NetworkRecord n, String requested, String owner) {
        String ip = allocateUnsaved(n, requested, owner);
        save();
        return ip;
    }

    /**
     * As {@link #allocate}, but the lease is only in memory until {@link #flush} (or any other change) writes the
     * file: the start path persists it off the request's critical path, after the container's network record (which
     * names the address) is on disk; {@link #reconcileOwners} rebuilds the file from those records at boot.
     */
    synchronized String allocateUnsaved(NetworkRecord n, String requested, String owner) {
        Cidr subnet = n.subnetCidr();
        int gw = n.gatewayAddress();
        Map<String, String> used = leases.computeIfAbsent(n.id(), k -> new TreeMap<>());
        String ip;
        if (requested != null && !requested.isEmpty()) {
            Integer a = Cidr.parseAddress(requested);
            if (a == null) {
                throw PouchException.invalidArgument("invalid IPv4 address: " + requested);
            }
            if (!subnet.contains(a) || a == subnet.network() || a == subnet.broadcast()) {
                throw PouchException.invalidArgument("no configured subnet or ip-range contain the IP address "
                        + requested);
            }
            ip = Cidr.format(a);
            String holder = used.get(ip);
            if (a == gw || n.aux().containsValue(ip) || (holder != null && !holder.equals(owner))) {
                throw PouchException.conflict("Address already in use: " + ip);
            }
        } else {
            Cidr pool = n.poolCidr();
            ip = null;
            for (long a = Integer.toUnsignedLong(pool.network()); a <= Integer.toUnsignedLong(pool.broadcast()); a++) {
                int v = (int) a;
                if (v == subnet.network() || v == subnet.broadcast() || v == gw) {
                    continue;
                }
                String s = Cidr.format(v);
                if (!used.containsKey(s) && !n.aux().containsValue(s)) {
                    ip = s;
                    break;
                }
            }
            if (ip == null) {
                throw PouchException.conflict("no available IPv4 addresses on network " + n.name());
            }
        }
        used.put(ip, owner);
        return ip;
    }

    /**
     * As {@link #allocateUnsaved}, for the network's IPv6 subnet: the requested address (in the subnet, free) or
     * the lowest free one of the pool. The subnet's first address (the subnet-router anycast address), the gateway
     * and the auxiliary addresses are never handed out. IPv6 leases share the network's map with the IPv4 ones.
     */
    synchronized String allocate6Unsaved(NetworkRecord n, String requested, String owner) {
        Cidr6 subnet = n.subnet6Cidr();
        BigInteger gw = n.gateway6Address();
        Map<String, String> used = leases.computeIfAbsent(n.id(), k -> new TreeMap<>());
        String ip;
        if (requested != null && !requested.isEmpty()) {
            BigInteger a = Cidr6.parseAddress(requested);
            if (a == null) {
                throw PouchException.invalidArgument("invalid IPv6 address: " + requested);
            }
            if (!subnet.contains(a) || a.equals(subnet.network())) {
                throw PouchException.invalidArgument("no configured subnet or ip-range contain the IP address "
                        + requested);
            }
            ip = Cidr6.format(a);
            String holder = used.get(ip);
            if (a.equals(gw) || n.aux6().containsValue(ip) || (holder != null && !holder.equals(owner))) {
                throw PouchException.conflict("Address already in use: " + ip);
            }
        } else {
            Cidr6 pool = n.pool6Cidr();
            ip = null;
            // at most as many steps as there are leases and reserved addresses before a free one
            for (BigInteger a = pool.network(); a.compareTo(pool.last()) <= 0; a = a.add(BigInteger.ONE)) {
                if (a.equals(subnet.network()) || a.equals(gw)) {
                    continue;
                }
                String s = Cidr6.format(a);
                if (!used.containsKey(s) && !n.aux6().containsValue(s)) {
                    ip = s;
                    break;
                }
            }
            if (ip == null) {
                throw PouchException.conflict("no available IPv6 addresses on network " + n.name());
            }
        }
        used.put(ip, owner);
        return ip;
    }

    /** Writes the leases as they are in memory. */
    synchronized void flush() {
        save();
    }

    /**
     * At boot, after a crash: every lease whose owner does not hold it in {@code live} (network id to address to
     * owner, from the network records of running containers) is dropped, and every live one is present.
     */
    synchronized void reconcileOwners(Map<String, Map<String, String>> live) {
        boolean changed = false;
        for (Map.Entry<String, Map<String, String>> e : leases.entrySet()) {
            Map<String, String> keep = live.getOrDefault(e.getKey(), Map.of());
            changed |= e.getValue().entrySet().removeIf(l -> !l.getValue().equals(keep.get(l.getKey())));
        }
        for (Map.Entry<String, Map<String, String>> e : live.entrySet()) {
            Map<String, String> used = leases.computeIfAbsent(e.getKey(), k -> new TreeMap<>());
            for (Map.Entry<String, String> l : e.getValue().entrySet()) {
                changed |= !l.getValue().equals(used.put(l.getKey(), l.getValue()));
            }
        }
        if (changed) {
            save();
        }
    }

    public synchronized void release(String networkId, String ip) {
        Map<String, String> used = leases.get(networkId);
        if (used != null && used.remove(ip) != null) {
            save();
        }
    }

    /** Drops every lease held by owner (stale state after a crash). */
    public synchronized void releaseOwner(String owner) {
        boolean changed = false;
        for (Map<String, String> used : leases.values()) {
            changed |= used.values().removeIf(owner::equals);
        }
        if (changed) {
            save();
        }
    }

    public synchronized void dropNetwork(String networkId) {
        if (leases.remove(networkId) != null) {
            save();
        }
    }

    public synchronized Map<String, String> leases(String networkId) {
        return Map.copyOf(leases.getOrDefault(networkId, Map.of()));
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(leases));
        } catch (IOException e) {
            throw PouchException.internal("cannot save the address leases: " + e.getMessage(), e);
        }
    }
}
