package io.pouch.daemon.system;

import io.pouch.api.system.SystemInfo;

import java.util.Map;

/**
 * What {@code /info} and {@code /version} need from the managers that own containers, images and containerd.
 * Implemented by whoever wires the daemon together (the container and image managers); calls must be cheap and
 * must not block for long, {@code docker info} is called often.
 */
public interface SystemInfoSource {
    /** Container figures as {@code docker info} shows them; running + paused + stopped = containers. */
    record Counts(int containers, int running, int paused, int stopped, int images) {
    }

    Counts counts();

    /** containerd's version ({@code Version} service), or "unknown" while it is not reachable. */
    default String containerdVersion() {
        return "unknown";
    }

    /** containerd's git revision, or "". */
    default String containerdRevision() {
        return "";
    }

    /** The daemon's labels ({@code --label}), {@code key=value}. */
    default java.util.List<String> labels() {
        return java.util.List.of();
    }

    /** The OCI runtimes by name, as {@code docker info} lists them; null: runc and crun. */
    default Map<String, SystemInfo.Runtime> runtimes() {
        return null;
    }

    /**
     * Name-value pairs about the engine as a whole ({@code SystemStatus}, printed by docker info), or null for
     * none: the totals of P2P image distribution when it is on.
     */
    default java.util.List<java.util.List<String>> systemStatus() {
        return null;
    }

    /** For tests and a daemon that has no managers yet. */
    SystemInfoSource NONE = () -> new Counts(0, 0, 0, 0, 0);
}
