package io.pouch.it;

import io.pouch.testing.Await;
import io.pouch.testing.HostNetworks;
import io.pouch.testing.HostNetworks.Subnet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run/create and network create flags of the pouch CLI against pouchd: what they send reaches the container
 * (env files, /dev/shm size), shows in inspect (resources, labels, IPAM), the daemon's refusals come through with
 * its message and docker's exit codes, and unknown flags are refused as docker refuses them.
 */
@Tag("e2e")
class PouchCliFlagsEndToEndTest {
    private static PouchdHarness d;

    @TempDir
    Path dir;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void envFileAndLabelFileReachTheContainer() throws Exception {
        Path env = Files.writeString(dir.resolve("app.env"), "# settings\nFROM_FILE=one\n  SPACED=a b \nOVER=file\n");
        Path labels = Files.writeString(dir.resolve("app.labels"), "tier=web\nowner=ops\n");
        Cmd.Result r = d.pouch("run", "--rm", "--env-file", env.toString(), "-e", "OVER=flag", "busybox", "env");
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("FROM_FILE=one"), r.out());
        assertTrue(lines.contains("SPACED=a b "), r.out());
        assertTrue(lines.contains("OVER=flag") && !lines.contains("OVER=file"), r.out());

        String n = name("pflags-lbl");
        try {
            d.pouch("create", "--name", n, "--label-file", labels.toString(), "-l", "owner=dev", "busybox").ok();
            assertEquals("web dev", d.pouch("inspect", "-f", "{{.Config.Labels.tier}} {{.Config.Labels.owner}}", n)
                    .ok().trimmed());
        } finally {
            d.pouch("rm", "-f", n);
        }
    }

    @Test
    void shmSizeSizesDevShm() {
        Cmd.Result r = d.pouch("run", "--rm", "--shm-size", "32m", "busybox", "df", "-k", "/dev/shm");
        assertEquals(0, r.exit(), r.toString());
        String line = r.out().lines().filter(l -> l.endsWith("/dev/shm")).findFirst().orElseThrow();
        assertEquals("32768", line.trim().split("\\s+")[1], r.out());
    }

    @Test
    void resourceFlagsShowInInspect() {
        String n = name("pflags-res");
        try {
            d.pouch("create", "--name", n, "--cpu-shares", "512", "-m", "64m", "--memory-swap", "128m",
                    "--memory-reservation", "32m", "--pids-limit", "50", "--cpuset-cpus", "0", "--oom-score-adj",
                    "100", "busybox").ok();
            assertEquals("512 67108864 134217728 33554432 50 0 100", d.pouch("inspect", "-f",
                    "{{.HostConfig.CpuShares}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}"
                            + " {{.HostConfig.MemoryReservation}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpusetCpus}}"
                            + " {{.HostConfig.OomScoreAdj}}", n).ok().trimmed());
        } finally {
            d.pouch("rm", "-f", n);
        }
    }

    @Test
    void aFieldTheDaemonRefusesShowsItsMessageAndExits125() {
        String n = name("pflags-refused");
        Cmd.Result r = d.pouch("run", "--rm", "--name", n, "--cpu-period", "100", "busybox", "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().startsWith("Error response from daemon: CPU cfs period can not be less than 1ms"),
                r.toString());
        assertFalse(d.pouch("ps", "-a", "--format", "{{.Names}}").ok().out().lines().anyMatch(n::equals),
                "nothing is left of the refused container");
        Cmd.Result create = d.pouch("create", "--memory-reservation", "1m", "busybox");
        assertEquals(125, create.exit(), create.toString());
        assertTrue(create.err().startsWith("Error response from daemon: Minimum memory reservation allowed is 6MB"),
                create.toString());
    }

    @Test
    void unknownFlagsExit125WithDockersWording() {
        for (List<String> cmd : List.of(List.of("run"), List.of("create"), List.of("ps"), List.of("network", "create"),
                List.of("volume", "ls"), List.of("images"))) {
            String[] args = new String[cmd.size() + 2];
            for (int i = 0; i < cmd.size(); i++) {
                args[i] = cmd.get(i);
            }
            args[cmd.size()] = "--no-such-flag";
            args[cmd.size() + 1] = "x";
            Cmd.Result r = d.pouch(args);
            assertEquals(125, r.exit(), r.toString());
            List<String> err = r.err().lines().toList();
            assertEquals("unknown flag: --no-such-flag", err.get(0), r.toString());
            assertTrue(err.get(2).startsWith("Usage:  pouch " + String.join(" ", cmd)), r.toString());
            assertEquals("Run 'pouch " + String.join(" ", cmd) + " --help' for more information", err.getLast(),
                    r.toString());
        }
        Cmd.Result shorthand = d.pouch("run", "-Z", "busybox");
        assertEquals(125, shorthand.exit(), shorthand.toString());
        assertEquals("unknown shorthand flag: 'Z' in -Z", shorthand.err().lines().findFirst().orElse(""));
    }

    @Test
    void cidfileGetsTheIdAndMustNotExist() throws Exception {
        Path cid = dir.resolve("the.cid");
        String n = name("pflags-cid");
        try {
            String id = d.pouch("create", "--name", n, "--cidfile", cid.toString(), "busybox").ok().trimmed();
            assertEquals(id, Files.readString(cid));
            assertEquals(cid.toString(), d.pouch("inspect", "-f", "{{.HostConfig.ContainerIDFile}}", n).ok().trimmed());
            Cmd.Result again = d.pouch("create", "--cidfile", cid.toString(), "busybox");
            assertEquals(125, again.exit(), again.toString());
            assertTrue(again.err().contains("container ID file found"), again.toString());
        } finally {
            d.pouch("rm", "-f", n);
        }
    }

    @Test
    void pullNeverDoesNotPull() {
        Cmd.Result r = d.pouch("run", "--rm", "--pull", "never", "pouch-no-such-image:" + UUID.randomUUID(), "true");
        assertEquals(125, r.exit(), r.toString());
        assertTrue(r.err().startsWith("Error response from daemon: No such image"), r.toString());
        assertFalse(r.err().contains("Unable to find image"), r.toString());
        Cmd.Result bad = d.pouch("run", "--pull", "sometimes", "busybox");
        assertEquals(125, bad.exit(), bad.toString());
    }

    @Test
    void signalsToAnAttachedRunGoToTheContainer() throws Exception {
        String n = name("pflags-sig");
        Process p = new ProcessBuilder(d.pouchCommand("run", "--rm", "--name", n, "busybox", "sh", "-c",
                "trap 'exit 7' INT; echo ready; while true; do sleep 0.1; done")).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine());
            Cmd.run(List.of("kill", "-INT", Long.toString(p.pid())), Map.of(), null, Duration.ofSeconds(10)).ok();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pouch run ended after SIGINT");
            assertEquals(7, p.exitValue(), "the container's trap ran and its exit code came back");
            Process noProxy = new ProcessBuilder(d.pouchCommand("run", "--rm", "--sig-proxy=false", "--name",
                    n + "-np", "busybox", "sh", "-c", "trap 'exit 7' INT; echo ready; sleep 300"))
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out2 = new BufferedReader(new InputStreamReader(noProxy.getInputStream(),
                        StandardCharsets.UTF_8));
                assertEquals("ready", out2.readLine());
                Cmd.run(List.of("kill", "-INT", Long.toString(noProxy.pid())), Map.of(), null,
                        Duration.ofSeconds(10)).ok();
                assertTrue(noProxy.waitFor(60, TimeUnit.SECONDS));
                assertEquals(130, noProxy.exitValue(), "without the proxy SIGINT ends the CLI itself");
                assertEquals("running", d.pouch("inspect", "-f", "{{.State.Status}}", n + "-np").ok().trimmed());
            } finally {
                noProxy.destroyForcibly();
                d.pouch("rm", "-f", n + "-np");
            }
        } finally {
            p.destroyForcibly();
            d.pouch("rm", "-f", n);
        }
    }

    @Test
    void detachKeysInARealTerminal() {
        Assumptions.assumeTrue(Cmd.run(List.of("sh", "-c", "command -v tmux"), Map.of(), null,
                Duration.ofSeconds(5)).exit() == 0, "tmux is not installed");
        String s = "pflags-tty-" + UUID.randomUUID().toString().substring(0, 6);
        String c = name("pflags-tty");
        StringBuilder line = new StringBuilder();
        for (String a : d.pouchCommand("run", "-it", "--detach-keys", "ctrl-x,e", "--name", c, "busybox", "sh")) {
            line.append(line.isEmpty() ? "" : " ").append('\'').append(a.replace("'", "'\\''")).append('\'');
        }
        tmux("new-session", "-d", "-s", s, "-x", "80", "-y", "24", line.toString());
        try {
            awaitPane(s, "#");
            tmux("send-keys", "-t", s, "echo pouch-$((2+3))", "Enter");
            awaitPane(s, "pouch-5");
            tmux("send-keys", "-t", s, "C-x", "e");
            Await.until(Duration.ofSeconds(20), () -> tmux("has-session", "-t", s).exit() != 0,
                    "the end of tmux session " + s + " after the detach keys");
            assertEquals("true", d.pouch("inspect", "-f", "{{.State.Running}}", c).ok().trimmed());
        } finally {
            tmux("kill-session", "-t", s);
            d.pouch("rm", "-f", c);
        }
    }

    private static Cmd.Result tmux(String... args) {
        List<String> c = new ArrayList<>(List.of("tmux"));
        c.addAll(List.of(args));
        return Cmd.run(c, Map.of(), null, Duration.ofSeconds(10));
    }

    private static void awaitPane(String s, String text) {
        Await.until(Duration.ofSeconds(20), () -> tmux("capture-pane", "-p", "-t", s).out(), p -> p.contains(text),
                "\"" + text + "\" in tmux pane " + s);
    }

    @Test
    void networkCreateIpamFlags() {
        Subnet s = HostNetworks.reserveSubnet();
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String net = "pflagsnet-" + suffix;
        try {
            d.pouch("network", "create", "--subnet", s.cidr(), "--gateway", s.address(254), "--ip-range",
                    s.cidr(128, 25), "--label", "who=flags", "--internal", "-o",
                    "com.docker.network.bridge.name=pfl-" + suffix, net).ok();
            assertEquals(s.cidr() + " " + s.address(254) + " " + s.cidr(128, 25) + " flags true", d.pouch("network",
                    "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{end}}"
                            + " {{.Labels.who}} {{.Internal}}", net).ok().trimmed());
            Cmd.Result outside = d.pouch("network", "create", "--subnet", s.cidr(), "--gateway", "192.0.2.1",
                    net + "-x");
            assertEquals(1, outside.exit(), outside.toString());
            assertEquals("Error: no matching subnet for gateway 192.0.2.1", outside.err().trim());
        } finally {
            d.pouch("network", "rm", net);
        }
    }
}
