package io.pouch.testing;

import io.pouch.daemon.network.Cidr6;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bridge names, IPv4 subnets and IPv6 ULA subnets for tests that make real network devices, so that two test suites can run on one
 * host at once: names are random, and a subnet is a random /24 of {@link #POOL} that no address or route of the
 * host touches, reserved by a lock file that this JVM holds until it exits (the OS drops the lock with the process,
 * so a crashed suite leaves no reservation behind).
 */
public final class HostNetworks {
    /** 10.128.0.0/9: the upper half of 10/8, clear of Pouch's 192.168.5.0/24 and the 172.18-31 auto pools. */
    static final int POOL = 10 << 24 | 128 << 16;
    static final int POOL_PREFIX = 9;
    private static final Path LOCKS = Path.of("/tmp/pouch-test-subnets");
    private static final Pattern IPV4 = Pattern.compile("\\b(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?\\b");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Reservations held for the life of this JVM (a lock lives as long as its channel is open). */
    private static final List<FileLock> HELD = new ArrayList<>();

    private HostNetworks() {
    }

    /** {@code prefix} and 6 random hex digits: a device name (at most 15 characters) no other suite picks. */
    public static String bridgeName(String prefix) {
        byte[] b = new byte[3];
        String name;
        do {
            RANDOM.nextBytes(b);
            name = prefix + HexFormat.of().formatHex(b);
        } while (Files.exists(Path.of("/sys/class/net", name)));
        if (name.length() > 15) {
            throw new IllegalArgumentException("device name over 15 characters: " + name);
        }
        return name;
    }

    /** A /24 that no address or route of the host overlaps, reserved for this JVM. */
    public static synchronized Subnet reserveSubnet() {
        List<int[]> used = hostNetworks();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int base = POOL | (RANDOM.nextInt(1 << (24 - POOL_PREFIX)) << 8);
            if (used.stream().anyMatch(n -> overlaps(n[0], n[1], base, 24)) || !lock(base)) {
                continue;
            }
            return new Subnet(base);
        }
        throw new AssertionError("no free /24 in 10.128.0.0/9 after 1000 tries");
    }

    private static boolean lock(int base) {
        return lock(Subnet.format(base));
    }

    private static boolean lock(String name) {
        try {
            Files.createDirectories(LOCKS);
            FileChannel ch = FileChannel.open(LOCKS.resolve(name), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // this JVM holds it already
            }
            if (l == null) {
                ch.close();
                return false;
            }
            HELD.add(l);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve a subnet under " + LOCKS, e);
        }
    }

    /** {address, prefix length} of every IPv4 network in the host's addresses and routes (all tables). */
    private static List<int[]> hostNetworks() {
        List<int[]> out = new ArrayList<>();
        for (List<String> cmd : List.of(List.of("ip", "-4", "-o", "addr", "show"),
                List.of("ip", "-4", "route", "show", "table", "all"))) {
            Matcher m = IPV4.matcher(run(cmd));
            while (m.find()) {
                out.add(new int[]{parse(m.group(1)), m.group(2) == null ? 32 : Integer.parseInt(m.group(2))});
            }
        }
        return out;
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(cmd + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static boolean overlaps(int a, int aPrefix, int b, int bPrefix) {
        int p = Math.min(aPrefix, bPrefix);
        int mask = p == 0 ? 0 : -1 << (32 - p);
        return (a & mask) == (b & mask);
    }

    static int parse(String dotted) {
        String[] p = dotted.split("\\.");
        return Integer.parseInt(p[0]) << 24 | Integer.parseInt(p[1]) << 16 | Integer.parseInt(p[2]) << 8
                | Integer.parseInt(p[3]);
    }

    /**
     * A ULA /64 (fd00::/8 with 56 random bits) that no IPv6 address or route of the host overlaps, reserved for this
     * JVM with a lock file as {@link #reserveSubnet} does.
     */
    public static synchronized Subnet6 reserveSubnet6() {
        List<Cidr6> used = hostNetworks6();
        byte[] b = new byte[7];
        for (int attempt = 0; attempt < 1000; attempt++) {
            RANDOM.nextBytes(b);
            BigInteger base = BigInteger.valueOf(0xfd).shiftLeft(120).or(new BigInteger(1, b).shiftLeft(64));
            Cidr6 c = new Cidr6(base, 64);
            if (used.stream().anyMatch(c::overlaps) || !lock(new Subnet6(base).cidr().replace(':', '-').replace("/",
                    "_"))) {
                continue;
            }
            return new Subnet6(base);
        }
        throw new AssertionError("no free /64 in fd00::/8 after 1000 tries");
    }

    /** Every IPv6 network in the host's addresses and routes (all tables). */
    private static List<Cidr6> hostNetworks6() {
        List<Cidr6> out = new ArrayList<>();
        for (List<String> cmd : List.of(List.of("ip", "-6", "-o", "addr", "show"),
                List.of("ip", "-6", "route", "show", "table", "all"))) {
            for (String tok : run(cmd).split("\\s+")) {
                String t = tok.contains("/") ? tok : tok + "/128";
                if (tok.contains(":") && Cidr6.parseAddress(t.substring(0, t.indexOf('/'))) != null) {
                    try {
                        out.add(Cidr6.parse(t));
                    } catch (RuntimeException e) {
                        // not a prefix: a word with colons
                    }
                }
            }
        }
        return out;
    }

    /** A reserved ULA /64. */
    public record Subnet6(BigInteger base) {
        /** {@code fdxx:xxxx:xxxx:xxxx::/64} */
        public String cidr() {
            return Cidr6.format(base) + "/64";
        }

        /** The address with this host part, e.g. {@code fdxx:xxxx:xxxx:xxxx::2}. */
        public String address(long host) {
            return Cidr6.format(base.add(BigInteger.valueOf(host)));
        }

        @Override
        public String toString() {
            return cidr();
        }
    }

    /** A reserved /24, {@code a.b.c.0/24}. */
    public record Subnet(int base) {
        static String format(int a) {
            return (a >>> 24) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
        }

        /** {@code a.b.c.0/24} */
        public String cidr() {
            return format(base) + "/24";
        }

        /** {@code a.b.c.} (for prefix checks of addresses in it) */
        public String prefix() {
            return format(base).substring(0, format(base).length() - 1);
        }

        /** {@code a.b.c.host} */
        public String address(int host) {
            return format(base + host);
        }

        /** {@code a.b.c.host/bits}: an interface address (bits 24) or a part of this subnet (more bits). */
        public String cidr(int host, int bits) {
            return address(host) + "/" + bits;
        }

        @Override
        public String toString() {
            return cidr();
        }
    }
}
