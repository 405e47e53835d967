package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.testing.DockerCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code pouch create} sends the body the docker CLI 28 sends for the same flags: each case runs the real docker
 * CLI against {@link DockerCapture} and compares its body with pouch's, field by field (zero values left out).
 */
class DockerParityTest {
    private static final Map<String, String> ENV = Map.of("FROM_CLIENT", "client value");
    private static DockerCapture docker;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(DockerCapture.DOCKER), "the docker CLI is at " + DockerCapture.DOCKER);
        docker = new DockerCapture();
    }

    @AfterAll
    static void stop() throws Exception {
        if (docker != null) {
            docker.close();
        }
    }

    private static JsonNode pouch(List<String> args) {
        CreateCommand cmd = new CreateCommand();
        new CommandLine(cmd).setStopAtPositional(true).setOverwrittenOptionsAllowed(true)
                .parseArgs(args.toArray(String[]::new));
        return CreateRequest.build(cmd.options, cmd.image, cmd.command, true, ENV);
    }

    private static void same(String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of(flags));
        args.addAll(List.of("busybox", "sh", "-c", "true"));
        List<String> dockerArgs = new ArrayList<>(List.of("create"));
        dockerArgs.addAll(args);
        JsonNode expected = DockerCapture.meaningful(docker.send(ENV, dockerArgs));
        JsonNode actual = DockerCapture.meaningful(pouch(args));
        assertEquals(expected.toPrettyString(), actual.toPrettyString(), "flags " + List.of(flags));
    }

    /** docker refuses these before it sends anything, and so does pouch, with exit 125 or docker's 1. */
    private static void refusedByBoth(String... flags) {
        List<String> args = new ArrayList<>(List.of(flags));
        args.add("busybox");
        List<String> dockerArgs = new ArrayList<>(List.of("create"));
        dockerArgs.addAll(args);
        IllegalStateException d = assertThrows(IllegalStateException.class, () -> docker.send(ENV, dockerArgs));
        CliException p = assertThrows(CliException.class, () -> pouch(args), "pouch takes " + args);
        assertTrue(p.exitCode() == 125 || p.exitCode() == 1, p.getMessage());
        String dockerSays = d.getMessage().substring(d.getMessage().indexOf(": ") + 2).strip();
        assertTrue(dockerSays.contains(p.getMessage().replaceFirst("^invalid argument .* flag: ", "")),
                "docker: " + dockerSays + "\npouch: " + p.getMessage());
    }

    @Test
    void badValuesAreRefusedAsDockerRefusesThem() throws Exception {
        refusedByBoth("--sysctl", "kernel.foo=1");
        refusedByBoth("--sysctl", "net.a");
        refusedByBoth("--device", "/dev/a:/b:c:d");
        refusedByBoth("--device", "/dev/a:/b:rwx");
        refusedByBoth("--device", "/dev/a:b");
        refusedByBoth("--device-cgroup-rule", "x 1:2 r");
        refusedByBoth("--gpus", "count=2,driver=nvidia,capabilities=compute,utility");
        refusedByBoth("--gpus", "bogus=1");
        refusedByBoth("--pid", "bogus");
        refusedByBoth("--uts", "bogus");
        refusedByBoth("--userns", "bogus");
        refusedByBoth("--cgroupns", "bogus");
        refusedByBoth("--memory-swappiness", "101");
        refusedByBoth("--health-interval", "-1s");
        refusedByBoth("--health-timeout", "5");
        refusedByBoth("--health-cmd", "x", "--no-healthcheck");
        refusedByBoth("--security-opt", "bad");
        refusedByBoth("--security-opt", "seccomp=" + dir.resolve("no-such-profile.json"));
        refusedByBoth("--storage-opt", "size");
        refusedByBoth("--blkio-weight-device", "/dev/sda:5");
        refusedByBoth("--blkio-weight-device", "sda:500");
        refusedByBoth("--device-read-bps", "/dev/sda:fast");
        refusedByBoth("--device-write-iops", "/dev/sda:1k");
        refusedByBoth("--shm-size", "lots");
        refusedByBoth("--memory-swap", "-2");
        refusedByBoth("--env-file", dir.resolve("no-such.env").toString());
        Path spaced = Files.writeString(dir.resolve("spaced.env"), "export A=1\n");
        refusedByBoth("--env-file", spaced.toString());
        refusedByBoth("-e", "=novar");
        refusedByBoth("-l", "=x");
        refusedByBoth("-l", " =x");
    }

    @Test
    void defaults() throws Exception {
        same();
    }

    @Test
    void envAndLabelFiles() throws Exception {
        Path env = Files.writeString(dir.resolve("env.list"),
                "\uFEFFA=1\n# comment\n\n  B=two words  \nFROM_CLIENT\nNOT_SET\nEMPTY=\r\n");
        Path labels = Files.writeString(dir.resolve("labels.list"), "l1=a\nl2\n# c\nl3=x=y\n");
        same("--env-file", env.toString(), "-e", "A=override", "--label-file", labels.toString(), "-l", "l1=b",
                "-l", "bare");
        same("-e", "FROM_CLIENT", "-e", "NOT_IN_CLIENT_ENV", "-e", "EMPTY=");
        same("-e", "A=1", "-e", "B=2", "-e", "A=3");
        same("--env-file", env.toString(), "-e", "A=0", "-e", "A=9", "-e", "NOT_IN_CLIENT_ENV");
    }

    @Test
    void memoryAndCpu() throws Exception {
        same("-m", "1g", "--memory-swap", "2g", "--memory-swappiness", "10", "--memory-reservation", "512m",
                "--oom-kill-disable", "--oom-score-adj", "100", "--shm-size", "64m", "--cpu-period", "100000",
                "--cpu-quota", "50000", "--cpu-rt-period", "1000", "--cpu-rt-runtime", "500", "--cpuset-cpus", "0-1",
                "--cpuset-mems", "0", "-c", "512", "--pids-limit", "50", "--ulimit", "nofile=100:200",
                "--ulimit", "nproc=10");
        same("--memory-swap", "-1", "-m", "10m", "--cpus", "1.5", "--pids-limit", "-1", "--memory-swappiness", "0");
        refusedByBoth("--cpu-count", "2", "--cpu-percent", "50", "--io-maxbandwidth", "1m", "--io-maxiops", "10");
    }

    @Test
    void blockIo() throws Exception {
        same("--blkio-weight", "300", "--blkio-weight-device", "/dev/sda:200", "--device-read-bps", "/dev/sda:1mb",
                "--device-write-bps", "/dev/sdb:2m", "--device-read-iops", "/dev/sda:100",
                "--device-write-iops", "/dev/sda:200", "--blkio-weight-device", "/dev/sdb:0");
    }

    @Test
    void devicesAndGpus() throws Exception {
        same("--device", "/dev/null", "--device", "/dev/zero:/dev/z:r", "--device", "/dev/a:rw",
                "--device", "/dev/b:/dev//c/", "--device", "vendor.com/gpu=0", "--device-cgroup-rule", "c 1:3 rwm",
                "--device-cgroup-rule", "a *:* m");
        same("--gpus", "all");
        same("--gpus", "2", "--gpus", "\"device=1,2\",driver=nvidia");
        same("--gpus", "count=3,\"capabilities=compute,utility\",\"options=a=b,c\"");
    }

    @Test
    void securityAndNamespaces() throws Exception {
        Path profile = Files.writeString(dir.resolve("seccomp.json"),
                "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ ]\n}\n");
        same("--privileged", "--cap-add", "net_admin", "--cap-add", "ALL", "--cap-add", "cap_net_admin",
                "--cap-drop", "mknod", "--cap-drop", "chown", "--security-opt", "no-new-privileges",
                "--security-opt", "label:disable", "--security-opt", "seccomp=" + profile,
                "--security-opt", "apparmor=unconfined", "--read-only", "--init");
        same("--ipc", "host", "--pid", "host", "--uts", "host", "--userns", "host", "--cgroupns", "private",
                "--group-add", "10", "--group-add", "audio", "--cgroup-parent", "/my-parent",
                "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=1000",
                "--sysctl", "fs.mqueue.msg_max=20", "--isolation", "default");
        same("--ipc", "container:other", "--pid", "container:other", "--ipc", "shareable", "--uts", "");
    }

    @Test
    void storageAnnotationsAndRuntime() throws Exception {
        same("--annotation", "=x", "--storage-opt", "=y", "-l", " k=v");
        same("--storage-opt", "size=10G", "--annotation", "a=b", "--annotation", "c", "--runtime", "runc",
                "--disable-content-trust",
                "--domainname", "example.org", "--stop-signal", "SIGUSR1", "--stop-timeout", "7");
    }

    @Test
    void healthcheck() throws Exception {
        same("--health-cmd", "curl -f localhost || exit 1", "--health-interval", "30s", "--health-timeout", "1m",
                "--health-retries", "3", "--health-start-period", "1.5s", "--health-start-interval", "500ms");
        same("--health-interval", "1h2m3.5s", "--health-timeout", "250us");
        same("--no-healthcheck");
    }

    @Test
    void networking() throws Exception {
        same("--network", "mynet", "--ip", "10.0.0.5", "--ip6", "2001:db8::33", "--link-local-ip", "169.254.0.5",
                "--network-alias", "al", "--mac-address", "92:d0:c6:0a:29:33", "--dns", "1.1.1.1",
                "--dns-search", "x.com", "--dns-option", "ndots:2", "--add-host", "a:1.2.3.4", "-p", "8080:80",
                "--expose", "90", "-P", "--hostname", "h1");
    }

    @Test
    void attachedStreams() throws Exception {
        same("-a", "stdout");
        same("-a", "stdin");
        same("-a", "STDERR", "-i");
        same("-i", "-t");
        refusedByBoth("-a", "foo");
    }

    @Test
    void cidfile() throws Exception {
        same("--cidfile", dir.resolve("cid-docker").toString().replace("cid-docker", "cid"));
    }
}
