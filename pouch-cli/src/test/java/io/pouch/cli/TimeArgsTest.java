package io.pouch.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimeArgsTest {
    private static final Instant NOW = Instant.ofEpochSecond(10_000, 5);

    @Test
    void readsDockerTimeValues() {
        assertNull(TimeArgs.timestamp(null, NOW));
        assertEquals("1700000000", TimeArgs.timestamp("1700000000", NOW));
        assertEquals("9400.000000005", TimeArgs.timestamp("10m", NOW));
        assertEquals("4600.000000005", TimeArgs.timestamp("1h30m", NOW));
        assertEquals("10000.000000005", TimeArgs.timestamp("0s", NOW));
        assertEquals("1357133017.000000000", TimeArgs.timestamp("2013-01-02T13:23:37Z", NOW));
        assertThrows(CliException.class, () -> TimeArgs.timestamp("yesterday", NOW));
    }

    @Test
    void buildsDockerFilterJson() {
        assertEquals("{\"name\":{\"a\":true,\"b\":true},\"status\":{\"exited\":true}}",
                Query.filters(List.of("name=a", "name=b", "status=exited")));
        assertThrows(CliException.class, () -> Query.filters(List.of("bad")));
    }

    @Test
    void findsTheCommandName() {
        assertEquals("ps", Main.commandName(new String[]{"-H", "unix:///x", "-D", "ps", "-a"}));
        assertEquals("run", Main.commandName(new String[]{"--host=unix:///x", "run", "busybox"}));
        assertNull(Main.commandName(new String[]{"--help"}));
    }
}
