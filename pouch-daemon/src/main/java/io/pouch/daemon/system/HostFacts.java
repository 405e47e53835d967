package io.pouch.daemon.system;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Facts about this host for {@code /info} and {@code /version}, read from /proc, /etc and /sys. */
final class HostFacts {
    private HostFacts() {
    }

    /** MemTotal from /proc/meminfo, in bytes (the file says kB, meaning KiB). */
    static long memTotal(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring("MemTotal:".length()).trim().split("\\s+");
                long v = Long.parseLong(f[0]);
                return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v;
            }
        }
        return 0;
    }

    /** PRETTY_NAME from os-release, unquoted; "Linux" when absent. */
    static String prettyName(String osRelease) {
        String name = null;
        String version = null;
        for (String line : osRelease.split("\n")) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).trim();
            String value = unquote(line.substring(eq + 1).trim());
            switch (key) {
                case "PRETTY_NAME" -> {
                    return value;
                }
                case "NAME" -> name = value;
                case "VERSION_ID" -> version = value;
                default -> {
                }
            }
        }
        return name == null ? "Linux" : version == null ? name : name + " " + version;
    }

    /** VERSION_ID from os-release, or "". */
    static String osVersion(String osRelease) {
        for (String line : osRelease.split("\n")) {
            if (line.startsWith("VERSION_ID=")) {
                return unquote(line.substring("VERSION_ID=".length()).trim());
            }
        }
        return "";
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** "2" on a unified (v2-only) hierarchy, "1" on v1 or hybrid: runc and crun decide the same way. */
    static String cgroupVersion(Path cgroupRoot) {
        return Files.exists(cgroupRoot.resolve("cgroup.controllers")) ? "2" : "1";
    }

    static String read(Path p, String fallback) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    static long memTotal() {
        try {
            return memTotal(read(Path.of("/proc/meminfo"), ""));
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static String kernelVersion() {
        return read(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version")).trim();
    }

    static String osRelease() {
        String s = read(Path.of("/etc/os-release"), null);
        return s != null ? s : read(Path.of("/usr/lib/os-release"), "");
    }

    static String hostname() {
        String h = read(Path.of("/proc/sys/kernel/hostname"), "").trim();
        if (!h.isEmpty()) {
            return h;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** uname -m style: the JVM says amd64 where the kernel says x86_64. */
    static String machine() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> a;
        };
    }

    /** Go's GOARCH naming, used by /version. */
    static String goArch() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> a;
        };
    }

    static int openFds() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
