package io.pouch.daemon.containerd;

import java.time.Instant;

/**
 * What deleting a stopped task or process reports.
 *
 * @param exitedAt null when containerd recorded no exit time
 */
public record TaskExit(int pid, int exitStatus, Instant exitedAt) {
}
