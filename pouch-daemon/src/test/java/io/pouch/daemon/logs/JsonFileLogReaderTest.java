package io.pouch.daemon.logs;

import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogLine;
import io.pouch.daemon.logs.LogLineSink;
import io.pouch.daemon.logs.LogQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonFileLogReaderTest {
    @TempDir
    Path dir;

    /** A clock that advances one second per reading, so every entry has its own time. */
    static final class Ticking extends Clock {
        final AtomicLong secs = new AtomicLong(1_000_000);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(secs.getAndIncrement());
        }
    }

    static List<String> read(Path f, LogQuery q) throws Exception {
        List<String> out = new ArrayList<>();
        JsonFileLogReader.read(f, q, line -> {
            out.add((line.stream() == 2 ? "E:" : "") + new String(line.log(), StandardCharsets.UTF_8).trim());
            return true;
        }, () -> false);
        return out;
    }

    Path writeLines(int n, Map<String, String> opts) {
        Path f = dir.resolve("c-json.log");
        JsonFileLog log = JsonFileLog.open(f, opts, new Ticking());
        for (int i = 0; i < n; i++) {
            JsonFileLogTest.write(log, i % 5 == 4 ? 2 : 1, "line " + i + "\n");
        }
        log.close();
        return f;
    }

    static List<String> expected(int from, int to) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add((i % 5 == 4 ? "E:" : "") + "line " + i);
        }
        return l;
    }

    @Test
    void reads_all_rotated_files_oldest_first() throws Exception {
        Path f = writeLines(100, Map.of("max-size", "1k", "max-file", "20"));
        assertTrue(JsonFileLog.files(f).size() > 3);
        assertEquals(expected(0, 100), read(f, LogQuery.ALL));
    }

    @Test
    void tail_spans_files() throws Exception {
        Path f = writeLines(100, Map.of("max-size", "1k", "max-file", "20"));
        int perFile = (int) Files.readAllLines(f.resolveSibling("c-json.log.1")).size();
        int n = perFile + 3; // more than the newest file holds
        assertEquals(expected(100 - n, 100), read(f, new LogQuery(true, true, null, null, n, false, false)));
        assertEquals(List.of(), read(f, new LogQuery(true, true, null, null, 0, false, false)));
        assertEquals(expected(0, 100), read(f, new LogQuery(true, true, null, null, 1000, false, false)));
    }

    @Test
    void tail_counts_before_stream_filter_like_docker() throws Exception {
        Path f = writeLines(10, Map.of());
        assertEquals(List.of("E:line 9"), read(f, new LogQuery(false, true, null, null, 3, false, false)));
        assertEquals(List.of("line 0", "line 1", "line 2", "line 3"),
                read(f, new LogQuery(true, false, null, Instant.ofEpochSecond(1_000_004), -1, false, false)));
    }

    @Test
    void since_and_until() throws Exception {
        Path f = writeLines(10, Map.of());
        // entry i has time 1_000_000 + i
        assertEquals(expected(3, 6), read(f, new LogQuery(true, true, Instant.ofEpochSecond(1_000_003),
                Instant.ofEpochSecond(1_000_005), -1, false, false)));
    }

    @Test
    void missing_log_is_empty() throws Exception {
        assertEquals(List.of(), read(dir.resolve("none.log"), LogQuery.ALL));
    }

    @Test
    @Timeout(30)
    void follow_across_rotation_gets_every_line_once() throws Exception {
        Path f = dir.resolve("c-json.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of("max-size", "2k", "max-file", "50"), new Ticking());
        JsonFileLogTest.write(log, 1, "line 0\n");
        AtomicBoolean producing = new AtomicBoolean(true);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                JsonFileLogReader.read(f, new LogQuery(true, true, null, null, -1, true, false), line -> {
                    got.add((line.stream() == 2 ? "E:" : "") + new String(line.log(), StandardCharsets.UTF_8).trim());
                    return true;
                }, producing::get);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (int i = 1; i < 2000; i++) {
            JsonFileLogTest.write(log, i % 5 == 4 ? 2 : 1, "line " + i + "\n");
            if (i % 97 == 0) {
                Thread.sleep(15); // not a wait: pauses in the writing, so the follower also reads a growing file
            }
        }
        log.close();
        producing.set(false);
        reader.join(20_000);
        assertTrue(JsonFileLog.files(f).size() > 10);
        assertEquals(expected(0, 2000), got);
    }

    @Test
    @Timeout(10)
    void follow_stops_when_sink_goes_idle_false() throws Exception {
        Path f = writeLines(3, Map.of());
        List<String> got = new ArrayList<>();
        JsonFileLogReader.read(f, new LogQuery(true, true, null, null, -1, true, false), new LogLineSink() {
            @Override
            public boolean accept(LogLine line) {
                got.add(new String(line.log(), StandardCharsets.UTF_8).trim());
                return true;
            }

            @Override
            public boolean idle() {
                return false; // client gone
            }
        }, () -> true);
        assertEquals(3, got.size());
    }
}
