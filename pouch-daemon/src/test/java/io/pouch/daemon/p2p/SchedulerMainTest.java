package io.pouch.daemon.p2p;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The standalone scheduler's command line refuses what cannot work before it listens. */
class SchedulerMainTest {
    private static int run(String... args) {
        CommandLine cmd = new CommandLine(new SchedulerMain());
        cmd.setErr(new PrintWriter(new StringWriter()));
        return cmd.execute(args);
    }

    @Test
    void aListenAddressIsRequired() {
        assertNotEquals(0, run("--token", "t"));
    }

    @Test
    void neitherTlsNorATokenIsRefused() {
        assertEquals(2, run("--listen", "127.0.0.1:0"));
    }

    @Test
    void bothTlsAndATokenAreRefused() {
        assertEquals(2, run("--listen", "127.0.0.1:0", "--token", "t", "--ca", "/nonexistent/ca.pem", "--cert",
                "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"));
    }
}
