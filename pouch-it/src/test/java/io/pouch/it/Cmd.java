package io.pouch.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command the way a user's shell would, and keeps what it printed and its exit code. */
public final class Cmd {
    public record Result(List<String> command, int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("command failed (" + exit + "): " + String.join(" ", command)
                        + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }

        public String trimmed() {
            return out.strip();
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Cmd() {
    }

    public static Result run(List<String> command, Map<String, String> env, byte[] stdin, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread to = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
            Thread te = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException ignored) {
                // the command may not read its stdin at all
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command));
            }
            to.join();
            te.join();
            return new Result(List.copyOf(command), p.exitValue(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // process ended
        }
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(b));
        return l;
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        return p.getFileName().toString().equals("pouch-it") ? p.getParent() : p;
    }
}
