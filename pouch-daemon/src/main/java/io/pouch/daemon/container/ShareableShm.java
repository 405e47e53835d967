package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code /dev/shm} of an {@code IpcMode: shareable} container: a tmpfs mounted on the host in the container's
 * state directory while it runs (as dockerd's {@code shm} mount), so that a {@code container:} joiner can bind the
 * same one; a tmpfs inside the container's own mount namespace cannot be bound from outside it. Unmounted (lazily:
 * joiners keep their binds) when the container stops or is removed.
 */
final class ShareableShm {
    static final String DIR = "shm";

    private ShareableShm() {
    }

    /** Mounts the tmpfs (once) and returns it. */
    static Path mount(Path stateDir, long size) {
        Path shm = stateDir.resolve(DIR);
        try {
            Files.createDirectories(shm);
        } catch (IOException e) {
            throw PouchException.internal("cannot create " + shm + ": " + e.getMessage(), e);
        }
        if (!isMounted(shm)) {
            run(List.of("mount", "-t", "tmpfs", "-o", "nosuid,nodev,noexec,mode=1777,size=" + size, "shm",
                    shm.toString()), "mounting shm tmpfs");
        }
        return shm;
    }

    /** Where {@link #mount} mounts the tmpfs. */
    static Path path(Path stateDir) {
        return stateDir.resolve(DIR);
    }

    /** The mounted tmpfs of a running shareable container, or null. */
    static Path mounted(Path stateDir) {
        Path shm = stateDir.resolve(DIR);
        return isMounted(shm) ? shm : null;
    }

    /** Unmounts and removes it, if there. Never throws: called on stop and removal paths. */
    static void release(Path stateDir) {
        Path shm = stateDir.resolve(DIR);
        try {
            if (isMounted(shm)) {
                run(List.of("umount", "-l", shm.toString()), "unmounting shm tmpfs");
            }
            Files.deleteIfExists(shm);
        } catch (IOException | RuntimeException ignored) {
            // the removal of the state directory reports what is left
        }
    }

    private static boolean isMounted(Path p) {
        String target = p.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals(target)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static void run(List<String> cmd, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw PouchException.internal(what + ": " + out, null);
            }
        } catch (IOException e) {
            throw PouchException.internal(what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal(what + ": interrupted", e);
        }
    }
}
