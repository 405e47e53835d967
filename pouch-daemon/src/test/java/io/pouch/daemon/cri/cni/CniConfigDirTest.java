package io.pouch.daemon.cri.cni;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CniConfigDirTest {
    @TempDir
    Path dir;

    private static String list(String name) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":[{\"type\":\"bridge\"}]}";
    }

    @Test
    void theFirstFileInLexicalOrderWins() throws IOException {
        Files.writeString(dir.resolve("20-b.conflist"), list("b"));
        Files.writeString(dir.resolve("10-a.conflist"), list("a"));
        Files.writeString(dir.resolve("30-c.conf"), "{\"name\":\"c\",\"type\":\"bridge\"}");
        CniConfigDir.Selection s = new CniConfigDir(dir).current();
        assertEquals("a", s.network().name());
        assertEquals(dir.resolve("10-a.conflist"), s.source());
    }

    @Test
    void invalidFilesAreSkippedAndNamed() throws IOException {
        Files.writeString(dir.resolve("05-broken.conflist"), "{");
        Files.writeString(dir.resolve("06-notype.conf"), "{\"name\":\"x\"}");
        Files.writeString(dir.resolve("07-other.txt"), list("txt"));
        Files.writeString(dir.resolve("08-single.json"), "{\"cniVersion\":\"0.4.0\",\"name\":\"single\",\"type\":\"ptp\"}");
        CniConfigDir.Selection s = new CniConfigDir(dir).current();
        assertEquals("single", s.network().name());
        assertEquals("ptp", s.network().type(0));
        assertEquals(2, s.problems().size(), s.problems().toString());
        assertTrue(s.problems().get(0).startsWith("05-broken.conflist: not valid JSON"), s.problems().get(0));
        assertEquals("06-notype.conf: plugin 0 of network \"x\" has no type", s.problems().get(1));
    }

    @Test
    void theDirectoryIsReadAgainWhenItChanges() throws IOException {
        Path conf = dir.resolve("net.d");
        CniConfigDir d = new CniConfigDir(conf);
        assertNull(d.current().network(), "no directory yet");
        Files.createDirectories(conf);
        assertNull(d.current().network());
        Files.writeString(conf.resolve("50-late.conflist"), list("late"));
        assertEquals("late", d.current().network().name());
        Files.writeString(conf.resolve("10-early.conflist"), list("early"));
        assertEquals("early", d.current().network().name());
        Files.writeString(conf.resolve("10-early.conflist"), list("early-changed"));
        assertEquals("early-changed", d.current().network().name());
        Files.delete(conf.resolve("10-early.conflist"));
        assertEquals("late", d.current().network().name());
    }
}
