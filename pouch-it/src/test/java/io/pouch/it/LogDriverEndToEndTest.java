package io.pouch.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The syslog and none log drivers through the real docker CLI, with a syslog listener on loopback. */
@Tag("e2e")
class LogDriverEndToEndTest {
    private static PouchdHarness d;

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    private static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void syslogOverUdpWithTagAndSeverities() throws Exception {
        try (DatagramChannel server = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            String n = name("sl");
            Cmd.Result r = d.docker("run", "--name", n, "--log-driver", "syslog",
                    "--log-opt", "syslog-address=udp://127.0.0.1:" + port, "--log-opt", "tag={{.Name}}",
                    "--log-opt", "syslog-facility=local0", "busybox", "sh", "-c", "echo to-out; echo to-err >&2");
            try {
                assertEquals(0, r.exit(), r.toString());
                List<String> got = receive(server, 2, Duration.ofSeconds(5));
                // local0 = 16: stdout at info (16*8+6), stderr at err (16*8+3)
                String expected = " " + n + "[" + pidOf() + "]: to-out\n";
                assertTrue(got.stream().anyMatch(m -> m.startsWith("<134>") && m.endsWith(expected)), got.toString());
                assertTrue(got.stream().anyMatch(m -> m.startsWith("<131>") && m.endsWith("]: to-err\n")),
                        got.toString());
                // dual logging: the local copy keeps `logs` working
                Cmd.Result logs = d.docker("logs", n);
                assertEquals("to-out", logs.out().trim(), logs.toString());
                assertEquals("to-err", logs.err().trim(), logs.toString());
                assertTrue(d.docker("inspect", "-f", "{{.HostConfig.LogConfig.Type}}", n).ok().trimmed()
                        .equals("syslog"));
            } finally {
                d.docker("rm", "-f", n);
            }
        }
    }

    @Test
    void detailsShowTheLabelsAndEnvNamedByLogOptions() {
        String n = name("ld");
        try {
            d.docker("run", "--name", n, "--label", "app=web", "--label", "other=x", "-e", "MODE=prod",
                    "--log-opt", "labels=app", "--log-opt", "env=MODE", "busybox", "echo", "hi").ok();
            assertEquals("MODE=prod,app=web hi", d.docker("logs", "--details", n).ok().trimmed());
            assertEquals("hi", d.docker("logs", n).ok().trimmed());
            String stamped = d.docker("logs", "--details", "-t", n).ok().trimmed();
            assertTrue(stamped.matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z MODE=prod,app=web hi"), stamped);
            assertEquals("MODE=prod,app=web hi", d.pouch("logs", "--details", n).ok().trimmed());
            Cmd.Result bad = d.docker("create", "--log-opt", "env-regex=(", "busybox");
            assertNotEquals(0, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("invalid log opt env-regex"), bad.toString());
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    @Test
    void driversWithNothingToReadRefuseLogs() throws Exception {
        String none = name("ln");
        String nocache = name("lc");
        try (DatagramChannel server = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            d.pouch("run", "--name", none, "--log-driver", "none", "busybox", "echo", "hi").ok();
            Cmd.Result viaPouch = d.pouch("logs", none);
            assertNotEquals(0, viaPouch.exit(), viaPouch.toString());
            assertTrue(viaPouch.err().contains("configured logging driver does not support reading"),
                    viaPouch.toString());
            d.docker("run", "--name", nocache, "--log-driver", "syslog", "--log-opt", "cache-disabled=true",
                    "--log-opt", "syslog-address=udp://127.0.0.1:" + port, "busybox", "echo", "hi").ok();
            for (String n : List.of(none, nocache)) {
                Cmd.Result r = d.docker("logs", n);
                assertNotEquals(0, r.exit(), r.toString());
                assertTrue(r.err().contains("configured logging driver does not support reading"), r.toString());
            }
        } finally {
            d.docker("rm", "-f", none, nocache);
        }
    }

    @Test
    void badOptionsAndAnUnreachableSyslog() throws Exception {
        String n = name("lb");
        Cmd.Result bad = d.docker("create", "--name", n, "--log-driver", "syslog", "--log-opt", "max-size=1m",
                "busybox");
        assertNotEquals(0, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("unknown log opt 'max-size' for syslog log driver"), bad.toString());
        assertNotEquals(0, d.docker("inspect", n).exit(), "a refused create leaves no container");
        Cmd.Result facility = d.docker("create", "--log-driver", "syslog", "--log-opt", "syslog-facility=99",
                "busybox");
        assertTrue(facility.err().contains("invalid syslog facility"), facility.toString());
        Cmd.Result driver = d.docker("create", "--log-driver", "gelf", "busybox");
        assertTrue(driver.err().contains("no log driver named 'gelf' is registered"), driver.toString());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try {
            Cmd.Result r = d.docker("run", "-d", "--name", n, "--log-driver", "syslog", "--log-opt",
                    "syslog-address=tcp://127.0.0.1:" + port, "busybox", "sleep", "100");
            assertNotEquals(0, r.exit(), r.toString());
            assertTrue(r.err().contains("failed to initialize logging driver"), r.toString());
            assertEquals("false", d.docker("inspect", "-f", "{{.State.Running}}", n).ok().trimmed());
            assertEquals("", d.docker("ps", "-q", "--filter", "name=" + n).ok().trimmed());
        } finally {
            d.docker("rm", "-f", n);
        }
    }

    /** Up to {@code n} datagrams, each awaited in a blocking receive, all within {@code timeout}. */
    private static List<String> receive(DatagramChannel server, int n, Duration timeout) throws IOException {
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        while (got.size() < n) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            server.socket().setSoTimeout((int) left);
            try {
                server.socket().receive(p);
            } catch (SocketTimeoutException e) {
                break;
            }
            got.add(new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8));
        }
        return got;
    }

    private static long pidOf() throws Exception {
        return Long.parseLong(Files.readString(d.base().resolve("pouchd.pid")).trim());
    }
}
