package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the host ports of a container's published ports: the asked one (or the first of the asked range) that no
 * other container holds and no host process is bound to, or a free one from the ephemeral range when none was
 * asked for. Callers hold the network lock, so two containers never get the same port.
 */
final class PortAllocator {
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    /** Whether a host process holds a port; pouchd runs no userland proxy, so only the kernel can tell. */
    interface HostPorts {
        boolean bindable(PortMapping m);
    }

    /** Asks the kernel: a port is free when a socket can bind it. */
    static final HostPorts KERNEL = PortAllocator::bindable;

    private final HostPorts host;

    PortAllocator(HostPorts host) {
        this.host = host;
    }

    /**
     * One mapping per request, in order.
     *
     * @param taken     the ports other containers hold
     * @param owner     the container's id, for the error
     * @param ownerName the container's name, for the error
     * @throws PouchException 500 with dockerd's message when a request finds no free port
     */
    List<PortMapping> allocate(List<PortSpecs.Request> reqs, List<PortMapping> taken, String owner, String ownerName) {
        List<PortMapping> out = new ArrayList<>();
        for (PortSpecs.Request r : reqs) {
            int lo = r.hostPortLow() == 0 ? EPHEMERAL_LOW : r.hostPortLow();
            int hi = r.hostPortLow() == 0 ? EPHEMERAL_HIGH : r.hostPortHigh();
            PortMapping chosen = null;
            for (int p = lo; p <= hi && chosen == null; p++) {
                PortMapping m = new PortMapping(r.proto(), r.containerPort(), r.hostIp(), p);
                if (!clashes(m, taken) && !clashes(m, out) && host.bindable(m)) {
                    chosen = m;
                }
            }
            if (chosen == null) {
                String what = r.hostPortLow() == r.hostPortHigh() ? Integer.toString(r.hostPortLow())
                        : r.hostPortLow() + "-" + r.hostPortHigh();
                throw PouchException.internal("driver failed programming external connectivity on endpoint "
                        + ownerName + " (" + owner + "): Bind for "
                        + (r.hostIp().isEmpty() ? "0.0.0.0" : r.hostIp()) + ":" + what
                        + " failed: port is already allocated", null);
            }
            out.add(chosen);
        }
        return out;
    }

    /** Same protocol and port, and the host addresses overlap ("" is every address). */
    static boolean clashes(PortMapping m, List<PortMapping> others) {
        for (PortMapping o : others) {
            if (o.hostPort() == m.hostPort() && o.proto().equals(m.proto())
                    && (o.hostIp().isEmpty() || m.hostIp().isEmpty() || o.hostIp().equals(m.hostIp()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean bindable(PortMapping m) {
        try {
            InetAddress a = InetAddress.getByName(m.hostIp().isEmpty() ? "0.0.0.0" : m.hostIp());
            if (m.proto().equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, m.hostPort()))) {
                    return s.isBound();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(a, m.hostPort()));
                return true;
            }
        } catch (IOException e) {
            return false;
        }
    }
}
