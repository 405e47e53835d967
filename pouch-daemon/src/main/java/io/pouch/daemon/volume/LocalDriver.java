package io.pouch.daemon.volume;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.daemon.quota.VolumeQuota;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Docker's {@code local} driver: a directory {@code <volumes>/<name>/_data}; with the options {@code type},
 * {@code device} and {@code o} it is instead a mount made there at first use (tmpfs, a bind of a host path,
 * nfs...), undone when the last user stops. Pouch's {@code tmpfs} driver is the same with {@code type=tmpfs}
 * fixed and {@code o} built from {@code size}/{@code mode}. Pouch's {@code size} on a plain local volume limits
 * its directory by disk quota ({@link VolumeQuota}).
 */
final class LocalDriver implements VolumeDriver {
    private static final Set<String> LOCAL_OPTIONS = Set.of("type", "device", "o", "size", LocalVolumeOptions.MOUNT);
    private static final Set<String> TMPFS_OPTIONS = Set.of("size", "mode", "o");

    private final String name;
    private final Path root;

    LocalDriver(String name, Path root) {
        this.name = name;
        this.root = root;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String scope() {
        return "local";
    }

    Path dataDir(String volume) {
        return root.resolve(volume).resolve("_data");
    }

    @Override
    public Path path(String volume) {
        return dataDir(volume);
    }

    /** The mount(8) arguments the options ask for, or null for a plain directory. */
    List<String> mountArgs(Map<String, String> o) {
        if (o == null || o.isEmpty()) {
            return name.equals("tmpfs") ? List.of("-t", "tmpfs", "-o", "nosuid,nodev", "tmpfs") : null;
        }
        if (name.equals("tmpfs")) {
            List<String> opts = new ArrayList<>(List.of("nosuid", "nodev"));
            if (o.containsKey("size")) {
                opts.add("size=" + o.get("size"));
            }
            if (o.containsKey("mode")) {
                opts.add("mode=" + o.get("mode"));
            }
            if (o.containsKey("o")) {
                opts.add(o.get("o"));
            }
            return List.of("-t", "tmpfs", "-o", String.join(",", opts), "tmpfs");
        }
        String mountDir = o.get(LocalVolumeOptions.MOUNT);
        if (mountDir != null) { // checked at create and again before each mount
            return List.of("-o", "bind", Path.of(mountDir).normalize().toString());
        }
        String type = o.get("type");
        String device = o.get("device");
        if (type == null && device == null) {
            return null;
        }
        List<String> args = new ArrayList<>();
        if (type != null && !type.isEmpty()) {
            args.addAll(List.of("-t", type));
        }
        if (o.get("o") != null && !o.get("o").isEmpty()) {
            args.addAll(List.of("-o", o.get("o")));
        }
        args.add(device == null || device.isEmpty() ? (type == null ? "none" : type) : device);
        return args;
    }

    @Override
    public void create(String volume, Map<String, String> o) {
        Set<String> allowed = name.equals("tmpfs") ? TMPFS_OPTIONS : LOCAL_OPTIONS;
        LocalVolumeOptions.refuseSelectors(volume, o);
        for (String k : o.keySet()) {
            if (!allowed.contains(k)) {
                throw PouchException.invalidArgument("create " + volume + ": invalid option key: \"" + k + "\"");
            }
        }
        Path mountDir = name.equals("local") ? LocalVolumeOptions.mountDir(volume, o, root) : null;
        if (mountDir != null) {
            LocalVolumeOptions.prepare(volume, mountDir);
        } else if (name.equals("local")) {
            boolean hasType = o.containsKey("type");
            boolean hasDevice = o.containsKey("device");
            if (hasType != hasDevice && !(hasDevice && isBind(o))) {
                throw PouchException.invalidArgument("create " + volume + ": missing required option: \""
                        + (hasType ? "device" : "type") + "\"");
            }
            if (o.containsKey("o") && !hasType && !hasDevice) {
                throw PouchException.invalidArgument("create " + volume + ": missing required option: \"type\"");
            }
            if (isBind(o) && !Files.isDirectory(Path.of(o.get("device")))) {
                throw PouchException.invalidArgument("create " + volume + ": failed to mount local volume: "
                        + "no such device or directory: " + o.get("device"));
            }
            if (o.containsKey("size")) {
                if (hasType || hasDevice) {
                    throw PouchException.invalidArgument("create " + volume + ": option size limits the volume's own"
                            + " directory and cannot go with type/device; give the mount's size in o=");
                }
                VolumeQuota.size(volume, o.get("size"));
            }
        }
        try {
            Files.createDirectories(dataDir(volume));
        } catch (IOException e) {
            throw PouchException.internal("create " + volume + ": " + e.getMessage(), e);
        }
        if (name.equals("local") && o.containsKey("size")) {
            VolumeQuota.daemon().limit(volume, dataDir(volume), o.get("size")); // the manager undoes a failed create
        }
    }

    private static boolean isBind(Map<String, String> o) {
        String opts = o.get("o");
        return opts != null && List.of(opts.split(",")).contains("bind") && o.get("device") != null;
    }

    @Override
    public void remove(String volume) {
        Path data = dataDir(volume);
        if (Mounts.isMountPoint(data)) {
            Mounts.unmount(data);
        }
        if (Mounts.isMountPoint(data)) {
            // never delete through a mount: with o=bind that would be the host's own files
            throw PouchException.internal("remove " + volume + ": " + data + " is still mounted", null);
        }
        VolumeQuota.daemon().release(data); // a size-limited volume's subvolume and qgroup
        try {
            FileTrees.delete(root.resolve(volume));
        } catch (IOException e) {
            throw PouchException.internal("remove " + volume + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path mount(String volume, Map<String, String> o, String containerId) {
        Path data = dataDir(volume);
        List<String> args = mountArgs(o);
        if (args != null && !Mounts.isMountPoint(data)) {
            Path mountDir = name.equals("local") ? LocalVolumeOptions.mountDir(volume, o, root) : null;
            if (mountDir != null) { // the path may have changed since the create (a link put in its way)
                LocalVolumeOptions.prepare(volume, mountDir);
            }
            List<String> cmd = new ArrayList<>(List.of("mount"));
            cmd.addAll(args);
            cmd.add(data.toString());
            Mounts.run(cmd, "error while mounting volume '" + volume + "'");
        }
        return data;
    }

    @Override
    public void unmount(String volume, Map<String, String> o, String containerId, boolean lastUser) {
        if (lastUser && mountArgs(o) != null) {
            Mounts.unmount(dataDir(volume));
        }
    }

    /** Small helpers around mount(8), umount(8) and /proc/self/mountinfo. */
    static final class Mounts {
        private Mounts() {
        }

        static boolean isMountPoint(Path p) {
            try {
                String target = p.toAbsolutePath().normalize().toString();
                for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                    String[] f = line.split(" ");
                    if (f.length > 4 && unescape(f[4]).equals(target)) {
                        return true;
                    }
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }

        private static String unescape(String s) {
            return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
        }

        static void unmount(Path p) {
            // lazy: a process that still holds the mount (a shell in it) must not keep the volume busy forever
            run(List.of("umount", "-l", p.toString()), "error while unmounting " + p);
        }

        static void run(List<String> cmd, String what) {
            try {
                Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!pr.waitFor(30, TimeUnit.SECONDS)) {
                    pr.destroyForcibly();
                    throw PouchException.internal(what + ": " + String.join(" ", cmd) + " timed out", null);
                }
                if (pr.exitValue() != 0) {
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
}
