package io.pouch.daemon.container.stats;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host's {@code ps}, as dockerd runs it for top: what it prints, or a 500 with its output when it fails. */
final class HostPs implements TopService.Ps {
    private static final long TIMEOUT_SECONDS = 10;

    @Override
    public String run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw PouchException.internal("ps: " + out.trim(), null);
        }
        return out;
    }
}
