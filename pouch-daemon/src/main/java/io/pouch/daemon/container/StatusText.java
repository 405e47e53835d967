package io.pouch.daemon.container;

import io.pouch.api.container.ContainerState;
import io.pouch.api.container.Health;

import java.time.Duration;
import java.time.Instant;

/** The human {@code Status} column of {@code docker ps}, worded as Docker does. */
final class StatusText {
    private StatusText() {
    }

    static String of(ContainerState s, boolean removing, Instant now) {
        return of(s, removing, now, null);
    }

    /** With a healthcheck's state: {@code Up 3 seconds (healthy)}, {@code (health: starting)}, {@code (unhealthy)}. */
    static String of(ContainerState s, boolean removing, Instant now, Health health) {
        if (removing) {
            return "Removal In Progress";
        }
        if (s.running()) {
            String up = "Up " + humanDuration(Duration.between(Times.parse(s.startedAt()), now));
            if (s.paused()) {
                return up + " (Paused)";
            }
            if (health == null) {
                return up;
            }
            return up + (Health.STARTING.equals(health.status()) ? " (health: starting)" : " (" + health.status() + ")");
        }
        if (s.dead()) {
            return "Dead";
        }
        if (s.restarting()) {
            return "Restarting (" + s.exitCode() + ") " + humanDuration(Duration.between(Times.parse(s.finishedAt()),
                    now)) + " ago";
        }
        if (s.status().equals("created") || ContainerState.ZERO_TIME.equals(s.finishedAt())) {
            return "Created";
        }
        return "Exited (" + s.exitCode() + ") " + humanDuration(Duration.between(Times.parse(s.finishedAt()), now))
                + " ago";
    }

    /** go-units HumanDuration. */
    static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toMillis() / 3_600_000.0);
        if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }
}
