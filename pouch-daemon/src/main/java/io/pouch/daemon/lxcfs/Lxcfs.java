package io.pouch.daemon.lxcfs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.config.LxcfsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The daemon's LXCFS: whether containers may ask for it ({@code --enable-lxcfs}), where it is mounted, and whether
 * that mount answers. One per daemon, installed at start; the runtime spec hook {@link #addMounts} reads it, so the
 * spec builder needs no new parameter.
 */
public final class Lxcfs {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static volatile Lxcfs installed = new Lxcfs(new LxcfsConfig(false, Path.of(LxcfsConfig.DEFAULT_BINARY),
            Path.of(LxcfsConfig.DEFAULT_HOME)), List::of);

    private final LxcfsConfig config;
    private final Supplier<List<String>> mountinfo;

    /** @param mountinfo the daemon's mount table lines, read afresh on each call */
    public Lxcfs(LxcfsConfig config, Supplier<List<String>> mountinfo) {
        this.config = config;
        this.mountinfo = mountinfo;
    }

    /** The daemon's LXCFS as this process sees it. */
    public static Lxcfs onHost(LxcfsConfig config) {
        return new Lxcfs(config, Lxcfs::readMountinfo);
    }

    /** Makes {@code lxcfs} the one the spec hook consults (pouchd does this once at start). */
    public static void install(Lxcfs lxcfs) {
        installed = lxcfs;
    }

    public LxcfsConfig config() {
        return config;
    }

    /**
     * The ID of the LXCFS mount at the home dir when it is there and answers; empty when nothing is mounted or the
     * lxcfs behind it is gone ("Transport endpoint is not connected").
     */
    public OptionalLong liveMountId() {
        OptionalLong id = MountTable.lxcfsMountId(mountinfo.get(), config.home());
        if (id.isEmpty() || !Files.isReadable(config.home().resolve("proc/meminfo"))) {
            return OptionalLong.empty();
        }
        return id;
    }

    /**
     * Pouch's start-up check: with LXCFS enabled the daemon refuses to start unless lxcfs is mounted at the home dir.
     */
    public void requireMountedAtStart() {
        if (config.enabled() && liveMountId().isEmpty()) {
            throw PouchException.invalidArgument(config.home() + " is not a live lxcfs mount point: run \""
                    + config.binary() + " " + config.home() + "\" before pouchd (or start pouchd without"
                    + " --enable-lxcfs)");
        }
    }

    /**
     * The runtime spec hook: a container with {@code EnableLxcfs} gets the LXCFS files bound over its own. Asking for
     * it while the daemon has LXCFS off, or while lxcfs is not mounted, is refused (400), never ignored.
     */
    public static void addMounts(ObjectNode spec, HostConfig hc) {
        if (hc != null && hc.enableLxcfs()) {
            installed.addTo(spec);
        }
    }

    void addTo(ObjectNode spec) {
        requireUsable("HostConfig.EnableLxcfs true (--enableLxcfs)");
        LxcfsFiles.addTo(spec, config.home());
    }

    /**
     * @param asker what needs LXCFS, named first in the refusal
     * @throws PouchException 400 when the daemon has LXCFS off or lxcfs is not mounted or does not answer
     */
    void requireUsable(String asker) {
        if (!config.enabled()) {
            throw PouchException.invalidArgument(asker + ": lxcfs is not enabled in pouchd; start pouchd with"
                    + " --enable-lxcfs (config key \"enable-lxcfs\")");
        }
        if (liveMountId().isEmpty()) {
            throw PouchException.invalidArgument(asker + ": lxcfs is not mounted at " + config.home()
                    + " (or does not answer); start \"" + config.binary() + " " + config.home() + "\" and try again");
        }
    }

    private static List<String> readMountinfo() {
        try {
            return Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            return List.of();
        }
    }
}
