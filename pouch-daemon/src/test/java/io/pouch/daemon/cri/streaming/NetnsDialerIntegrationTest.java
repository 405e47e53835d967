package io.pouch.daemon.cri.streaming;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dials a port that listens only inside a network namespace the test makes, through {@link NetnsDialer}; the same
 * port on the host's loopback must stay unreachable (the socket really was made inside).
 */
@Tag("integration")
class NetnsDialerIntegrationTest {
    private final String ns = "pouch-dialtest-" + UUID.randomUUID().toString().substring(0, 8);
    private final int port = 20000 + (int) (Math.random() * 20000);
    private Process listener;

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    @BeforeEach
    void makeNamespace() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")), "needs ip");
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs busybox (busybox-static)");
        run("ip", "netns", "add", ns);
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        // one connection: busybox nc answers with its own line and echoes nothing more
        listener = new ProcessBuilder("ip", "netns", "exec", ns, "/bin/busybox", "nc", "-l", "-p",
                Integer.toString(port), "-e", "/bin/busybox", "sed", "s/^/echo:/").redirectErrorStream(true).start();
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (listener != null) {
            listener.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        new ProcessBuilder("ip", "netns", "delete", ns).start().waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void connectsInsideTheNamespaceOnly() throws Exception {
        Path nsPath = Path.of("/var/run/netns", ns);
        SocketChannel ch = dialWhenListening(nsPath);
        try (ch) {
            ch.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(100);
            while (ch.read(in) >= 0) {
                // until the listener closes
            }
            assertEquals("echo:hello\n", new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
        }
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            }
        }, "the port listens only inside the namespace");
        // setns ran on the dialer's own thread: this thread's namespace is the process's
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")),
                Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")));
    }

    @Test
    void aMissingNamespaceIsAClearError() {
        IOException e = assertThrows(IOException.class,
                () -> NetnsDialer.connect(Path.of("/var/run/netns", ns + "-missing"), new InetSocketAddress("127.0.0.1", port)));
        assertTrue(e.getMessage().contains(ns + "-missing"), e.getMessage());
    }

    /**
     * The listener starts asynchronously: wait (bounded) until its namespace's TCP table, which /proc shows per
     * process, has the port in LISTEN state (0A).
     */
    private SocketChannel dialWhenListening(Path nsPath) throws Exception {
        Path net = Path.of("/proc", Long.toString(listener.pid()), "net");
        // busybox listens on the IPv6 wildcard when it can (dual-stack), so either table may hold it
        Pattern listening = Pattern.compile(String.format(":%04X [0-9A-F]+:0000 0A ", port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listening.matcher(Files.readString(net.resolve("tcp")) + Files.readString(net.resolve("tcp6"))).find()) {
            assertTrue(listener.isAlive(), "listener exited before listening");
            assertTrue(System.nanoTime() < deadline, "listener not up within 10 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return NetnsDialer.connect(nsPath, new InetSocketAddress("127.0.0.1", port));
    }
}
