package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The host's IPv4 routes (main table, from {@code /proc/net/route}: no process to spawn), to refuse a default
 * bridge subnet the host already routes elsewhere: containers on it could not reach those hosts, and the host
 * would send their replies the wrong way.
 */
final class HostRoutes {
    /** One route: destination network and the device it leaves by. */
    record Route(Cidr destination, String device) {
        @Override
        public String toString() {
            return destination + " dev " + device;
        }
    }

    private HostRoutes() {
    }

    static List<Route> read(Path procNetRoute) {
        try {
            return parse(Files.readString(procNetRoute));
        } catch (IOException e) {
            return List.of(); // no procfs view: nothing to check against
        }
    }

    /** Parses the kernel's table: addresses and masks are little-endian hex words. */
    static List<Route> parse(String table) {
        List<Route> out = new ArrayList<>();
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || f[0].equals("Iface")) {
                continue;
            }
            try {
                int dst = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
                int mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
                out.add(new Route(new Cidr(dst, Integer.bitCount(mask)), f[0]));
            } catch (NumberFormatException e) {
                // not a route line
            }
        }
        return out;
    }

    /**
     * The first route, other than a default route or one on our own devices, whose destination overlaps subnet;
     * null when there is none.
     */
    static Route overlapping(List<Route> routes, Cidr subnet, Set<String> ownDevices) {
        for (Route r : routes) {
            if (r.destination().prefix() == 0 || ownDevices.contains(r.device())) {
                continue;
            }
            if (r.destination().overlaps(subnet)) {
                return r;
            }
        }
        return null;
    }

    /** Refuses (as a startup error) a default bridge subnet that overlaps a host route not on our own devices. */
    static void checkDefaultBridge(Cidr subnet, Set<String> ownDevices) {
        Route r = overlapping(read(Path.of("/proc/net/route")), subnet, ownDevices);
        if (r != null) {
            throw PouchException.invalidArgument("the default bridge's subnet " + subnet
                    + " overlaps the host's route " + r + ": pass --bip with an address in a subnet no host route"
                    + " uses (for example --bip 10.200.0.1/24)");
        }
    }
}
