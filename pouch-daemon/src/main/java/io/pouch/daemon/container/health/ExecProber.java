package io.pouch.daemon.container.health;

import io.pouch.api.PouchException;
import io.pouch.api.container.Health;
import io.pouch.daemon.container.exec.ExecManager;

import java.time.Instant;

/** Probes run as dockerd runs them: an exec in the container, its output kept, killed past its timeout. */
final class ExecProber implements Prober {
    private final ExecManager execs;
    private final HealthClock clock;

    ExecProber(ExecManager execs, HealthClock clock) {
        this.execs = execs;
        this.clock = clock;
    }

    @Override
    public Health.Result probe(String containerId, HealthCheck check, Instant start) throws InterruptedException {
        ProbeOutput out = new ProbeOutput();
        Integer code;
        try {
            code = execs.runHidden(containerId, check.command(), null, null, out, check.timeout());
        } catch (PouchException e) {
            return new Health.Result(HealthStates.time(start), HealthStates.time(clock.now()), -1, e.getMessage());
        }
        String end = HealthStates.time(clock.now());
        if (code == null) {
            String msg = "Health check exceeded timeout (" + GoDuration.format(check.timeout()) + ")";
            return new Health.Result(HealthStates.time(start), end, -1, out.isEmpty() ? msg : msg + ": " + out);
        }
        return new Health.Result(HealthStates.time(start), end, code, out.toString());
    }
}
