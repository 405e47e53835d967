package io.pouch.daemon.quota;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the filesystem tools the quota drivers drive (btrfs-progs, quota-tools, e2fsprogs); a seam for tests. */
@FunctionalInterface
public interface Commands {
    /**
     * @return the command's output (stdout and stderr)
     * @throws CommandFailed when it exits non-zero
     */
    String run(List<String> cmd);

    /** A tool that ran and failed: its output names why. */
    final class CommandFailed extends RuntimeException {
        public final String output;

        public CommandFailed(List<String> cmd, String output) {
            super(String.join(" ", cmd) + ": " + output);
            this.output = output;
        }
    }

    /** The real tools, each given 60 s (a btrfs subvolume sync waits for the cleaner). */
    Commands SYSTEM = cmd -> {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CommandFailed(cmd, "timed out");
            }
            if (p.exitValue() != 0) {
                throw new CommandFailed(cmd, out);
            }
            return out;
        } catch (IOException e) {
            throw new CommandFailed(cmd, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal(String.join(" ", cmd) + ": interrupted", e);
        }
    };
}
