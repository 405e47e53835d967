package io.pouch.daemon.network;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host's network tools (ip, unshare, iptables-restore) and turns a failure into a readable error. */
final class Sh {
    private Sh() {
    }

    /** Runs cmd with stdin; returns stdout; throws with the tool's stderr when it fails. */
    static String run(List<String> cmd, String stdin) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw PouchException.internal("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            // small outputs: read both fully after exit would risk a full pipe only for huge outputs
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw PouchException.internal(String.join(" ", cmd) + " did not finish in 30 s", null);
            }
            if (p.exitValue() != 0) {
                throw PouchException.internal(String.join(" ", cmd) + " failed: "
                        + new String(err, StandardCharsets.UTF_8).trim()
                        + (stdin == null ? "" : " (input: " + stdin.trim().replace('\n', ';') + ")"), null);
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw PouchException.internal("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while running " + cmd.get(0), e);
        }
    }

    /** Like run, but a failure is only logged by the caller's choice: returns false instead of throwing. */
    static boolean tryRun(List<String> cmd, String stdin) {
        try {
            run(cmd, stdin);
            return true;
        } catch (PouchException e) {
            return false;
        }
    }
}
