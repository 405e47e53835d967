package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateRequestTest {
    private static JsonNode run(String... args) {
        RunCommand cmd = new RunCommand();
        new CommandLine(cmd).setStopAtPositional(true).parseArgs(args);
        return CreateRequest.build(cmd.options, cmd.image, cmd.command, !cmd.detach, Map.of("HOME_VAR", "/root"));
    }

    @Test
    void resourceAndSecurityFlagsUseDockerNames() throws Exception {
        JsonNode body = run("--rm", "--name", "x", "-m", "512m", "--cpus", "1.5", "--cpu-shares", "512",
                "--cpuset-cpus", "0,1", "--pids-limit", "100", "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64",
                "--privileged", "--cap-add", "NET_ADMIN", "--cap-drop", "MKNOD", "--read-only", "--network", "none",
                "--restart", "on-failure:3", "--runtime", "runc", "--init", "-v", "/host:/ctr:ro", "-v", "/anon",
                "busybox", "echo", "hi");
        JsonNode hc = body.get("HostConfig");
        assertEquals(512L << 20, hc.get("Memory").asLong());
        assertEquals(1_500_000_000L, hc.get("NanoCpus").asLong());
        assertEquals(512, hc.get("CpuShares").asInt());
        assertEquals("0,1", hc.get("CpusetCpus").asText());
        assertEquals(100, hc.get("PidsLimit").asInt());
        assertEquals("[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024},"
                + "{\"Name\":\"nproc\",\"Hard\":64,\"Soft\":64}]", hc.get("Ulimits").toString());
        assertEquals("[\"/host:/ctr:ro\"]", hc.get("Binds").toString());
        assertEquals("{\"/anon\":{}}", body.get("Volumes").toString());
        assertEquals("[\"CAP_NET_ADMIN\"]", hc.get("CapAdd").toString());
        assertEquals("[\"CAP_MKNOD\"]", hc.get("CapDrop").toString());
        assertTrue(hc.get("Privileged").asBoolean());
        assertTrue(hc.get("ReadonlyRootfs").asBoolean());
        assertTrue(hc.get("AutoRemove").asBoolean());
        assertTrue(hc.get("Init").asBoolean());
        assertEquals("none", hc.get("NetworkMode").asText());
        assertEquals("{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}", hc.get("RestartPolicy").toString());
        assertEquals("runc", hc.get("Runtime").asText());
        assertTrue(body.get("NetworkingConfig").get("EndpointsConfig").has("none"));
        assertEquals("[\"echo\",\"hi\"]", body.get("Cmd").toString());
        assertEquals("busybox", body.get("Image").asText());
    }

    @Test
    void logDriverFlags() {
        JsonNode hc = run("--log-driver", "syslog", "--log-opt", "syslog-address=udp://127.0.0.1:514",
                "--log-opt", "tag={{.Name}}", "busybox").get("HostConfig");
        assertEquals("{\"Type\":\"syslog\",\"Config\":{\"syslog-address\":\"udp://127.0.0.1:514\","
                + "\"tag\":\"{{.Name}}\"}}", hc.get("LogConfig").toString());
        assertFalse(run("busybox").get("HostConfig").has("LogConfig"));
        CliException e = assertThrows(CliException.class,
                () -> run("--log-opt", "novalue", "busybox"));
        assertEquals(125, e.exitCode());
    }

    @Test
    void configFlags() {
        JsonNode body = run("-e", "A=1", "-e", "HOME_VAR", "-e", "UNSET_VAR", "-l", "k=v", "-l", "flag", "-w", "/tmp",
                "-u", "1000:1000", "--entrypoint", "/bin/sh", "-h", "box", "--stop-signal", "SIGINT",
                "--stop-timeout", "5", "-t", "-i", "busybox");
        assertEquals("[\"A=1\",\"HOME_VAR=/root\",\"UNSET_VAR\"]", body.get("Env").toString());
        assertEquals("{\"k\":\"v\",\"flag\":\"\"}", body.get("Labels").toString());
        assertEquals("/tmp", body.get("WorkingDir").asText());
        assertEquals("1000:1000", body.get("User").asText());
        assertEquals("[\"/bin/sh\"]", body.get("Entrypoint").toString());
        assertEquals("box", body.get("Hostname").asText());
        assertEquals("SIGINT", body.get("StopSignal").asText());
        assertEquals(5, body.get("StopTimeout").asInt());
        assertTrue(body.get("Tty").asBoolean());
        assertTrue(body.get("OpenStdin").asBoolean());
        assertTrue(body.get("AttachStdin").asBoolean());
        assertTrue(body.get("StdinOnce").asBoolean());
        assertTrue(body.get("AttachStdout").asBoolean());
        assertFalse(body.has("Cmd"));
    }

    @Test
    void defaultsAreDockers() {
        JsonNode body = run("-d", "busybox", "sleep", "1");
        JsonNode hc = body.get("HostConfig");
        assertEquals("default", hc.get("NetworkMode").asText());
        assertEquals("{\"Name\":\"no\",\"MaximumRetryCount\":0}", hc.get("RestartPolicy").toString());
        assertFalse(hc.get("AutoRemove").asBoolean());
        assertFalse(body.get("AttachStdout").asBoolean());
        assertFalse(hc.has("Memory"));
        assertFalse(hc.has("Binds"));
    }

    @Test
    void flagsAfterTheImageBelongToTheCommand() {
        JsonNode body = run("busybox", "ls", "-l", "--rm");
        assertEquals("[\"ls\",\"-l\",\"--rm\"]", body.get("Cmd").toString());
        assertFalse(body.get("HostConfig").get("AutoRemove").asBoolean());
    }

    @Test
    void badValuesAreRefusedWithExitCode125() {
        CliException e = assertThrows(CliException.class, () -> run("-m", "lots", "busybox"));
        assertEquals(125, e.exitCode());
        assertThrows(CliException.class, () -> run("--cpus", "abc", "busybox"));
        assertThrows(CliException.class, () -> run("--restart", "always:3", "busybox"));
        assertThrows(CliException.class, () -> run("--restart", "sometimes", "busybox"));
        assertThrows(CliException.class, () -> run("--ulimit", "nofile=10:5", "busybox"));
        assertThrows(CliException.class, () -> run("--ulimit", "nofile", "busybox"));
    }

    @Test
    void startErrorsMapToDockersExitCodes() {
        assertEquals(127, Attach.startErrorExitCode("exec: \"nosuchcmd\": executable file not found in $PATH"));
        assertEquals(127, Attach.startErrorExitCode("exec: \"/x\": stat /x: no such file or directory"));
        assertEquals(126, Attach.startErrorExitCode("exec: \"/etc\": permission denied: unknown"));
        assertEquals(125, Attach.startErrorExitCode("cgroup setup failed"));
    }

    @Test
    void psRowHumanisesLikeDocker() throws Exception {
        JsonNode c = Json.MAPPER.readTree("""
                {"Id":"f29671be6f142e3b92b37ee31f46e2cd5a734983e1348f771185f9e08571b782","Names":["/t1"],
                 "Image":"busybox","Command":"sh -c 'while true; do sleep 1; done'","Created":1000,
                 "Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"},{"PrivatePort":443,"Type":"tcp"}],
                 "Labels":{"b":"2","a":"1"},"State":"running","Status":"Up 3 seconds","SizeRw":2,"SizeRootFs":4260000}
                """);
        JsonNode row = PsCommand.row(c, true, Instant.ofEpochSecond(1120));
        assertEquals("f29671be6f14", row.get("ID").asText());
        assertEquals("\"sh -c 'while true; …\"", row.get("Command").asText());
        assertEquals("2 minutes ago", row.get("RunningFor").asText());
        assertEquals("0.0.0.0:8080->80/tcp, 443/tcp", row.get("Ports").asText());
        assertEquals("t1", row.get("Names").asText());
        assertEquals("a=1,b=2", row.get("Labels").asText());
        assertEquals("2B (virtual 4.26MB)", row.get("Size").asText());
    }
}
