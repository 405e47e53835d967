package io.pouch.daemon.container.devices;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pouch's {@code HostConfig.NvidiaConfig}, applied through the host's CDI spec of kind {@code nvidia.com/gpu}
 * (what the NVIDIA container toolkit writes): the visible devices become a GPU device request the CDI registry
 * resolves, and both settings reach the process as the {@code NVIDIA_VISIBLE_DEVICES} and
 * {@code NVIDIA_DRIVER_CAPABILITIES} variables the toolkit's libraries read. Without such a spec there is no
 * device to give, so the field is refused rather than dropped.
 */
public final class NvidiaGpus {
    static final String KIND = "nvidia.com/gpu";
    /** The toolkit's driver capabilities (Pouch accepts these and {@code all}). */
    private static final Set<String> CAPABILITIES = Set.of("compute", "compat32", "graphics", "utility", "video",
            "display");
    /** The visible-device values that name no device. */
    private static final Set<String> NO_DEVICE = Set.of("none", "void");
    private static final Pattern DEVICE = Pattern.compile("[0-9]+|GPU-[0-9A-Za-z-]+|MIG-[0-9A-Za-z/-]+");

    private NvidiaGpus() {
    }

    /** Refuses a malformed NvidiaConfig (pure: no look at the host). */
    public static void validate(HostConfig.NvidiaConfig n) {
        if (!requested(n)) {
            return;
        }
        String caps = trim(n.driverCapabilities());
        if (!caps.isEmpty() && !caps.equals("all")) {
            for (String c : caps.split(",")) {
                if (!CAPABILITIES.contains(c.trim())) {
                    throw PouchException.invalidArgument("HostConfig.NvidiaConfig.NvidiaDriverCapabilities: invalid"
                            + " nvidia driver capability \"" + c.trim() + "\": use all or a comma-separated list of "
                            + String.join(", ", CAPABILITIES.stream().sorted().toList()));
                }
            }
        }
        String devs = trim(n.visibleDevices());
        if (!devs.isEmpty() && !devs.equals("all") && !NO_DEVICE.contains(devs)) {
            for (String d : devs.split(",")) {
                if (!DEVICE.matcher(d.trim()).matches()) {
                    throw PouchException.invalidArgument("HostConfig.NvidiaConfig.NvidiaVisibleDevices: invalid nvidia"
                            + " device \"" + d.trim() + "\": use all, none, void or a comma-separated list of GPU"
                            + " indexes or UUIDs");
                }
            }
        }
    }

    /**
     * {@code hc}'s device requests with the GPUs its NvidiaConfig names; refused when the host has no CDI spec of
     * kind {@value #KIND}.
     */
    public static List<HostConfig.DeviceRequest> requests(HostConfig hc, CdiRegistry cdi) {
        List<HostConfig.DeviceRequest> out = hc.deviceRequests() == null ? new ArrayList<>()
                : new ArrayList<>(hc.deviceRequests());
        HostConfig.NvidiaConfig n = hc.nvidiaConfig();
        if (!requested(n)) {
            return out;
        }
        validate(n);
        Map<String, CdiSpec> specs = cdi.specs();
        if (!specs.containsKey(KIND)) {
            throw PouchException.invalidArgument("HostConfig.NvidiaConfig cannot be applied: this host has no NVIDIA"
                    + " device: no CDI spec of kind " + KIND + " is present in " + cdi.dirs()
                    + " (the NVIDIA container toolkit writes one with nvidia-ctk cdi generate)");
        }
        String devs = trim(n.visibleDevices());
        if (devs.isEmpty() || NO_DEVICE.contains(devs)) {
            return out;
        }
        List<List<String>> gpu = List.of(List.of("gpu"));
        if (devs.equals("all")) {
            out.add(new HostConfig.DeviceRequest("", -1, List.of(), gpu, Map.of()));
        } else {
            out.add(new HostConfig.DeviceRequest("", 0,
                    List.of(devs.split(",")).stream().map(String::trim).toList(), gpu, Map.of()));
        }
        return out;
    }

    /** The variables the toolkit's libraries read, for the process environment. */
    public static List<String> env(HostConfig.NvidiaConfig n) {
        if (!requested(n)) {
            return List.of();
        }
        List<String> env = new ArrayList<>();
        String devs = trim(n.visibleDevices());
        env.add("NVIDIA_VISIBLE_DEVICES=" + (devs.isEmpty() ? "void" : devs));
        String caps = trim(n.driverCapabilities());
        env.add("NVIDIA_DRIVER_CAPABILITIES=" + (caps.isEmpty() ? "utility" : caps));
        return env;
    }

    static boolean requested(HostConfig.NvidiaConfig n) {
        return n != null && (!trim(n.visibleDevices()).isEmpty() || !trim(n.driverCapabilities()).isEmpty());
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}
