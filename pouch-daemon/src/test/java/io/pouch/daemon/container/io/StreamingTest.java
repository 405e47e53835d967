package io.pouch.daemon.container.io;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.ApiVersion;
import io.pouch.daemon.api.StdCopy;
import io.pouch.daemon.api.TestExchange;
import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogTest;
import io.pouch.daemon.logs.LogQuery;
import io.pouch.daemon.logs.LogsStreamer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingTest {
    @TempDir
    Path dir;

    /** A logs request, handed to the code under test without a router. */
    private static TestExchange logs() {
        return TestExchange.request("GET", "/containers/c1/logs");
    }

    @Test
    void stdcopy_header() {
        assertArrayEquals(new byte[]{1, 0, 0, 0, 0, 0, 0, 5}, StdCopy.header(1, 5));
        assertArrayEquals(new byte[]{2, 0, 0, 0, 0x01, 0x02, 0x03, 0x04}, StdCopy.header(2, 0x01020304));
        byte[] f = StdCopy.frame(2, "xhey".getBytes(), 1, 3);
        assertArrayEquals(new byte[]{2, 0, 0, 0, 0, 0, 0, 3, 'h', 'e', 'y'}, f);
    }

    @Test
    void stdcopy_write_and_read_back() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StdCopy.write(out, false, 1, "out\n".getBytes(), 0, 4);
        StdCopy.write(out, false, 2, "err\n".getBytes(), 0, 4);
        StdCopy.write(out, false, 1, new byte[0], 0, 0);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        StdCopy.Frame a = StdCopy.read(in);
        StdCopy.Frame b = StdCopy.read(in);
        assertEquals(1, a.stream());
        assertEquals("out\n", new String(a.payload()));
        assertEquals(2, b.stream());
        assertNull(StdCopy.read(in));
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        StdCopy.write(raw, true, 1, "tty".getBytes(), 0, 3);
        assertEquals("tty", raw.toString());
    }

    @Test
    void content_types() {
        assertEquals(StdCopy.MULTIPLEXED_STREAM, StdCopy.contentType(false, new ApiVersion(1, 42)));
        assertEquals(StdCopy.RAW_STREAM, StdCopy.contentType(false, new ApiVersion(1, 41)));
        assertEquals(StdCopy.RAW_STREAM, StdCopy.contentType(true, new ApiVersion(1, 47)));
    }

    @Test
    void detach_keys_parse() {
        assertArrayEquals(new byte[]{16, 17}, DetachKeys.parse(null));
        assertArrayEquals(new byte[]{16, 17}, DetachKeys.parse("ctrl-p,ctrl-q"));
        assertArrayEquals(new byte[]{'a', 'b'}, DetachKeys.parse("a,b"));
        assertArrayEquals(new byte[]{0, 27, 28, 29, 30, 31, 1}, DetachKeys.parse("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,CTRL-A"));
        PouchException e = assertThrows(PouchException.class, () -> DetachKeys.parse("ctrl-1"));
        assertEquals(400, e.status());
        assertEquals("Invalid detach keys (ctrl-1) provided", e.getMessage());
        assertThrows(PouchException.class, () -> DetachKeys.parse("ab"));
        assertThrows(PouchException.class, () -> DetachKeys.parse("a,"));
    }

    @Test
    void detach_scanner_holds_prefix_and_forwards_on_mismatch() {
        DetachKeys.Scanner s = new DetachKeys.Scanner(DetachKeys.parse(null));
        ByteArrayOutputStream fw = new ByteArrayOutputStream();
        assertFalse(s.feed(new byte[]{'a', 16}, 0, 2, fw));
        assertEquals("a", fw.toString());
        assertFalse(s.feed(new byte[]{'b'}, 0, 1, fw)); // ctrl-p then b: both go through
        assertArrayEquals(new byte[]{'a', 16, 'b'}, fw.toByteArray());
        fw.reset();
        assertFalse(s.feed(new byte[]{16, 16}, 0, 2, fw)); // second ctrl-p restarts the match
        assertArrayEquals(new byte[]{16}, fw.toByteArray());
        assertTrue(s.feed(new byte[]{17, 'z'}, 0, 2, fw));
        assertArrayEquals(new byte[]{16}, fw.toByteArray());
    }

    @Test
    void log_query_from_request() {
        LogQuery q = LogQuery.from(logs().query("stdout", "1").query("since", "1700000000.5")
                .query("until", "2026-11-29T22:10:00Z").query("tail", "10").query("follow", "true")
                .query("timestamps", "1"));
        assertEquals(new LogQuery(true, false, Instant.ofEpochSecond(1_700_000_000, 500_000_000),
                Instant.parse("2026-11-29T22:10:00Z"), 10, true, true), q);
        assertEquals(-1, LogQuery.from(logs().query("stderr", "1").query("tail", "all")).tail());
        assertEquals(-1, LogQuery.from(logs().query("stderr", "1").query("tail", "x")).tail());
        PouchException e = assertThrows(PouchException.class, () -> LogQuery.from(logs()));
        assertEquals("Bad parameters: you must choose at least one stream", e.getMessage());
        assertEquals(400, assertThrows(PouchException.class,
                () -> LogQuery.from(logs().query("stdout", "1").query("since", "yesterday"))).status());
    }

    @Test
    void logs_streamer_frames_lines_with_timestamps() throws Exception {
        Path f = dir.resolve("c-json.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), JsonFileLogTest.CLOCK);
        JsonFileLogTest.write(log, 1, "out\n");
        JsonFileLogTest.write(log, 2, "err\n");
        log.close();
        TestExchange ex = logs().query("stdout", "1").query("stderr", "1").query("timestamps", "1");
        LogsStreamer.stream(ex, f, false, LogQuery.from(ex), () -> false);
        assertEquals(200, ex.status());
        assertEquals(StdCopy.MULTIPLEXED_STREAM, ex.contentType());
        assertTrue(ex.closed());
        ByteArrayInputStream in = new ByteArrayInputStream(ex.bytes());
        StdCopy.Frame a = StdCopy.read(in);
        StdCopy.Frame b = StdCopy.read(in);
        assertEquals(1, a.stream());
        assertEquals("2026-11-29T22:10:00.123456789Z out\n", new String(a.payload(), StandardCharsets.UTF_8));
        assertEquals(2, b.stream());
        assertNull(StdCopy.read(in));

        TestExchange tty = logs().query("stdout", "1");
        LogsStreamer.stream(tty, f, true, LogQuery.from(tty), () -> false);
        assertEquals(StdCopy.RAW_STREAM, tty.contentType());
        assertEquals("out\n", new String(tty.bytes()));
    }
}
