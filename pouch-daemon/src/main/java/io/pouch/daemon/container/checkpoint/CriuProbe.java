package io.pouch.daemon.container.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether CRIU can checkpoint on this host: {@code criu check} is run once, on the first checkpoint request, and
 * its answer kept (the kernel and the installed criu do not change under a running daemon). A host where it fails
 * gets the reason in criu's own words.
 */
public final class CriuProbe {
    /** The outcome: {@code problem} null when criu works. */
    public record Result(String problem) {
        public boolean works() {
            return problem == null;
        }
    }

    private final Supplier<Result> check;
    private volatile Result result;

    CriuProbe(Supplier<Result> check) {
        this.check = check;
    }

    /** Probes the {@code criu} found on PATH. */
    public static CriuProbe onHost() {
        return new CriuProbe(CriuProbe::runCheck);
    }

    public Result result() {
        Result r = result;
        if (r == null) {
            synchronized (this) {
                if (result == null) {
                    result = check.get();
                }
                r = result;
            }
        }
        return r;
    }

    private static Result runCheck() {
        Path criu = onPath("criu");
        if (criu == null) {
            return new Result("criu is not installed (Debian: apt-get install criu)");
        }
        try {
            Process p = new ProcessBuilder(criu.toString(), "check").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result("`criu check` did not finish within 30 s");
            }
            return p.exitValue() == 0 ? new Result(null)
                    : new Result("`" + criu + " check` fails on this host (kernel " + kernel() + "): "
                    + reason(out));
        } catch (IOException e) {
            return new Result("cannot run " + criu + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result("interrupted while running `criu check`");
        }
    }

    /** criu's error lines without their source positions: {@code Error (criu/kerndat.c:1615): x} is {@code x}. */
    static String reason(String output) {
        List<String> errors = new ArrayList<>();
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.startsWith("Error")) {
                int colon = l.indexOf("): ");
                errors.add(colon > 0 ? l.substring(colon + 3) : l);
            }
        }
        if (errors.isEmpty()) {
            String trimmed = output.strip();
            return trimmed.isEmpty() ? "no output" : trimmed;
        }
        return String.join("; ", errors);
    }

    private static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    private static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
