package io.pouch.daemon.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code process_*} families of Prometheus' Go process collector, read from {@code /proc/self} at each scrape,
 * with the same names and units so dashboards made for dockerd and Pouch read them.
 */
public final class ProcessMetrics {
    /** USER_HZ: the unit of /proc's CPU and start times; 100 on every Linux ABI (the Go collector assumes it too). */
    static final double TICKS_PER_SECOND = 100;

    private final Path proc;

    ProcessMetrics(Path proc) {
        this.proc = proc;
    }

    /** Adds the process families of this JVM to {@code metrics}. */
    public static void register(Metrics metrics) {
        new ProcessMetrics(Path.of("/proc")).addTo(metrics);
    }

    void addTo(Metrics metrics) {
        metrics.readCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                () -> one((stat().get(13) + stat().get(14)) / TICKS_PER_SECOND));
        metrics.gauge("process_open_fds", "Number of open file descriptors.", List.of(), () -> one(openFds()));
        metrics.gauge("process_max_fds", "Maximum number of open file descriptors.", List.of(), () -> one(maxFds()));
        metrics.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", List.of(),
                () -> one(stat().get(22)));
        metrics.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", List.of(),
                () -> one(statusKb("VmRSS") * 1024));
        metrics.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                List.of(), () -> one(startTimeSeconds()));
    }

    private static Map<List<String>, Double> one(double v) {
        return Map.of(List.of(), v);
    }

    /**
     * The numeric fields of {@code /proc/self/stat} from field 3 on, indexed from 0 as field 1 (pid) would be: the
     * command name in parentheses may hold spaces, so fields are counted after its closing parenthesis.
     */
    List<Double> stat() {
        String s = read(proc.resolve("self/stat"));
        String[] rest = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        Double[] out = new Double[rest.length + 2];
        out[0] = 0.0;
        out[1] = 0.0;
        for (int i = 0; i < rest.length; i++) {
            out[i + 2] = rest[i].matches("-?\\d+") ? Double.parseDouble(rest[i]) : 0.0;
        }
        return List.of(out);
    }

    double startTimeSeconds() {
        double bootTime = 0;
        for (String line : read(proc.resolve("stat")).split("\n")) {
            if (line.startsWith("btime ")) {
                bootTime = Double.parseDouble(line.substring(6).trim());
            }
        }
        return bootTime + stat().get(21) / TICKS_PER_SECOND;
    }

    double openFds() {
        try (Stream<Path> fds = Files.list(proc.resolve("self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The soft limit of "Max open files" in {@code /proc/self/limits}. */
    double maxFds() {
        for (String line : read(proc.resolve("self/limits")).split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Double.POSITIVE_INFINITY : Double.parseDouble(soft);
            }
        }
        throw new IllegalStateException("no \"Max open files\" in " + proc.resolve("self/limits"));
    }

    /** A {@code kB} value of {@code /proc/self/status}. */
    double statusKb(String key) {
        for (String line : read(proc.resolve("self/status")).split("\n")) {
            if (line.startsWith(key + ":")) {
                return Double.parseDouble(line.substring(key.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no " + key + " in " + proc.resolve("self/status"));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
