package io.pouch.daemon.container;

import io.pouch.api.container.HostConfig;
import io.pouch.api.container.NetworkMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code hostname}, {@code hosts} and {@code resolv.conf} files pouchd writes for a container and bind-mounts. */
final class HostFiles {
    static final String BASE_HOSTS = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    private HostFiles() {
    }

    static void write(Path dir, String hostname, NetworkMode mode, List<String> extraHosts) throws IOException {
        write(dir, hostname, mode, extraHosts, List.of(), List.of(), null);
    }

    /**
     * With what the network manager adds: the container's own address line (and --link lines) after the base
     * entries, and its DNS server; {@code hc}'s --dns, --dns-search and --dns-option replace the host's settings.
     */
    static void write(Path dir, String hostname, NetworkMode mode, List<String> extraHosts, List<String> netHosts,
                      List<String> nameservers, HostConfig hc) throws IOException {
        writeIfChanged(dir.resolve("hostname"), (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        boolean hostNet = mode.isHost();
        StringBuilder hosts = new StringBuilder();
        if (hostNet && Files.isReadable(Path.of("/etc/hosts"))) {
            hosts.append(Files.readString(Path.of("/etc/hosts")));
            if (!hosts.isEmpty() && hosts.charAt(hosts.length() - 1) != '\n') {
                hosts.append('\n');
            }
        } else {
            hosts.append(BASE_HOSTS);
        }
        for (String l : netHosts) {
            hosts.append(l).append('\n');
        }
        if (extraHosts != null) {
            for (String h : extraHosts) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    hosts.append(h.substring(colon + 1)).append('\t').append(h, 0, colon).append('\n');
                }
            }
        }
        writeIfChanged(dir.resolve("hosts"), hosts.toString().getBytes(StandardCharsets.UTF_8));
        String resolv = "";
        Path hostResolv = Path.of("/etc/resolv.conf");
        if (Files.isReadable(hostResolv)) {
            resolv = Files.readString(hostResolv);
            if (!hostNet) {
                resolv = withoutLoopbackNameservers(resolv);
            }
        }
        resolv = DnsSettings.apply(resolv, nameservers, hc);
        writeIfChanged(dir.resolve("resolv.conf"), resolv.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code --network container:X} shares X's hostname, hosts and resolv.conf (dockerd bind-mounts
     * X's own files; a copy taken at each start gives the same content).
     */
    static void copyShared(Path fromDir, Path dir) throws IOException {
        for (String f : List.of("hostname", "hosts", "resolv.conf")) {
            Path src = fromDir.resolve(f);
            if (Files.exists(src)) {
                writeIfChanged(dir.resolve(f), Files.readAllBytes(src));
            }
        }
    }

    /**
     * Every start writes these files again, mostly with the same bytes as at create: an identical file is left as
     * it is, which saves the two fsyncs of a crash-safe write on the start path. Anything else is written as before.
     */
    private static void writeIfChanged(Path target, byte[] content) throws IOException {
        try {
            if (Files.size(target) == content.length && Arrays.equals(Files.readAllBytes(target), content)) {
                return;
            }
        } catch (NoSuchFileException e) {
            // first write
        }
        replace(target, content);
    }

    /**
     * These files are derived, not state: every start writes them again from
     * the metadata (and rewrites any that differ), so they need no fsync; they only must never be seen half-written
     * by a running container, which the rename gives. Saves the two fsyncs of a crash-safe write per file (three
     * files at create, one or more at start), 1-20 ms each on this machine.
     */
    private static void replace(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + Thread.currentThread().threadId());
        Files.write(tmp, content);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * The host's resolv.conf minus loopback nameservers (a resolver on the host's 127.0.0.53 is unreachable from
     * the container's own network namespace). When none remain the container gets none: unlike Docker we do not
     * invent public resolvers, which could not be reached from here anyway.
     */
    static String withoutLoopbackNameservers(String resolv) {
        List<String> out = new ArrayList<>();
        for (String line : resolv.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("nameserver")) {
                String[] f = t.split("\\s+");
                if (f.length >= 2 && (f[1].startsWith("127.") || f[1].equals("::1")
                        || f[1].equals("0:0:0:0:0:0:0:1"))) {
                    continue;
                }
            }
            out.add(line);
        }
        return String.join("\n", out);
    }
}
