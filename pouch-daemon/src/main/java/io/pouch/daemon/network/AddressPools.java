package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Docker's default address pools for a bridge network created without a subnet: 172.18.0.0/16 to 172.31.0.0/16,
 * then 192.168.0.0/20 to 192.168.240.0/20, the first that no bridge network overlaps.
 */
final class AddressPools {
    private static final List<Cidr> DEFAULTS = defaults();

    private AddressPools() {
    }

    private static List<Cidr> defaults() {
        List<Cidr> candidates = new ArrayList<>();
        for (int i = 18; i <= 31; i++) {
            candidates.add(new Cidr((172 << 24) | (i << 16), 16));
        }
        for (int i = 0; i < 256; i += 16) {
            candidates.add(new Cidr((192 << 24) | (168 << 16) | (i << 8), 20));
        }
        return List.copyOf(candidates);
    }

    /** @throws PouchException 403 with dockerd's message when every pool is taken */
    static Cidr free(Collection<NetworkRecord> networks) {
        for (Cidr c : DEFAULTS) {
            boolean taken = networks.stream().anyMatch(n -> n.isBridge() && n.subnetCidr().overlaps(c));
            if (!taken) {
                return c;
            }
        }
        throw PouchException.forbidden("could not find an available, non-overlapping IPv4 address pool among the"
                + " defaults to assign to the network");
    }
}
