package io.pouch.daemon.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Times the daemon's boot steps from the process's start (its exec, as the kernel records it), so one log line
 * shows where a start's time goes: the JVM's own start-up, each step, and when the API answered.
 */
public final class BootClock {
    /** Linux's USER_HZ, the unit of a process's start time in /proc (100 on every architecture pouchd runs on). */
    private static final long TICKS_PER_SECOND = 100;

    private final long originNanos;
    private final List<String> steps = new ArrayList<>();
    private long last;

    private BootClock(long sinceStartNanos) {
        this.originNanos = System.nanoTime() - sinceStartNanos;
        this.last = originNanos;
    }

    /**
     * A clock whose zero is this process's exec, to 10 ms (the kernel's unit). ProcessHandle's start instant is not
     * used: it adds the boot time, which /proc gives in whole seconds. Zero is now when /proc cannot be read.
     */
    public static BootClock sinceProcessStart() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the fields after the command name (which may hold spaces), from field 3 on; starttime is field 22
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[19]);
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            long since = (long) (uptime * 1e9) - startTicks * (1_000_000_000L / TICKS_PER_SECOND);
            return new BootClock(Math.max(0, since));
        } catch (IOException | RuntimeException e) {
            return new BootClock(0);
        }
    }

    /** Records that step {@code name} ended now (its time is what passed since the previous mark). */
    public synchronized void mark(String name) {
        long now = System.nanoTime();
        steps.add(name + " " + (now - last) / 1_000_000);
        last = now;
    }

    /** Milliseconds since the process started. */
    public long elapsedMillis() {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    /** The steps so far, as "step ms, step ms, ...". */
    public synchronized String summary() {
        StringJoiner j = new StringJoiner(", ");
        steps.forEach(j::add);
        return j.toString();
    }
}
