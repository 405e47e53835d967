package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pouch's {@code NetPriority}: the priority of every network interface of the container in its net_prio cgroup
 * ({@code net_prio.ifpriomap}). The map is keyed by interface names resolved in the writer's network
 * namespace, so runc, which writes from the host's, would name the host's devices: the lines are written here,
 * once the task exists and its interfaces are in place, by a shell in the container's network namespace.
 */
final class NetPriorities {
    private NetPriorities() {
    }

    /**
     * @param pid         the task's init process (its network namespace is the container's)
     * @param cgroupsPath the container's cgroup ({@link CgroupPaths#of})
     */
    static void apply(PouchHostFeatures host, int pid, String cgroupsPath, long priority) {
        Path map = host.requireNetPrio().resolve(cgroupsPath.replaceFirst("^/+", "")).resolve("net_prio.ifpriomap");
        if (!Files.isRegularFile(map)) {
            throw PouchException.internal("cannot set NetPriority: the container's net_prio cgroup " + map.getParent()
                    + " was not created by the runtime", null);
        }
        String netns = "--net=/proc/" + pid + "/ns/net";
        List<String> cmd = new ArrayList<>(List.of("nsenter", netns, "sh", "-c",
                // one write per line: the kernel takes one "<interface> <priority>" per write
                "f=$1; shift; for l in \"$@\"; do echo \"$l\" > \"$f\" || exit 1; done", "sh", map.toString()));
        for (String name : interfaces(run(List.of("nsenter", netns, "ip", "-o", "link", "show")))) {
            cmd.add(name + " " + priority);
        }
        run(cmd);
    }

    /** The interface names of {@code ip -o link show}: {@code 2: eth0@if7: <...>} gives {@code eth0}. */
    static List<String> interfaces(String ipLinkOutput) {
        List<String> out = new ArrayList<>();
        for (String line : ipLinkOutput.split("\n")) {
            String[] f = line.split(": ", 3);
            if (f.length >= 2 && !f[1].isBlank()) {
                String name = f[1].trim();
                int at = name.indexOf('@');
                out.add(at > 0 ? name.substring(0, at) : name);
            }
        }
        return out;
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw PouchException.internal("cannot set NetPriority: " + cmd.get(2) + " did not finish", null);
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw PouchException.internal("cannot set NetPriority: " + text.trim(), null);
            }
            return text;
        } catch (IOException e) {
            throw PouchException.internal("cannot set NetPriority: cannot run nsenter: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("interrupted while setting NetPriority", e);
        }
    }
}
