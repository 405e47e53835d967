package io.pouch.daemon.logs;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.LogSink;
import io.pouch.daemon.logs.LogTimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class JsonFileLogTest {
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T22:10:00.123456789Z"), ZoneOffset.UTC);
    @TempDir
    Path dir;

    public static void write(LogSink log, int stream, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        log.write(stream, b, 0, b.length);
    }

    @Test
    void docker_format_one_object_per_line() throws Exception {
        Path f = dir.resolve("c-json.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), CLOCK);
        write(log, 1, "hello\nwor");
        write(log, 2, "oops <&>\n");
        write(log, 1, "ld\n");
        log.close();
        assertEquals("""
                {"log":"hello\\n","stream":"stdout","time":"2026-11-29T22:10:00.123456789Z"}
                {"log":"oops \\u003c\\u0026\\u003e\\n","stream":"stderr","time":"2026-11-29T22:10:00.123456789Z"}
                {"log":"world\\n","stream":"stdout","time":"2026-11-29T22:10:00.123456789Z"}
                """, Files.readString(f));
    }

    @Test
    void go_time_format_trims_zeros() {
        assertEquals("2026-11-29T22:10:00.1Z", LogTimes.rfc3339Nano(Instant.parse("2026-11-29T22:10:00.100Z")));
        assertEquals("2026-11-29T22:10:00Z", LogTimes.rfc3339Nano(Instant.parse("2026-11-29T22:10:00Z")));
        assertEquals("2026-11-29T22:10:00.100000000Z",
                LogTimes.rfc3339NanoFixed(Instant.parse("2026-11-29T22:10:00.100Z")));
    }

    @Test
    void control_characters_escaped_like_docker() throws Exception {
        Path f = dir.resolve("x.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), CLOCK);
        write(log, 1, "\u001b[1m\ttab\r\n");
        log.close();
        assertTrue(Files.readString(f).startsWith("{\"log\":\"\\u001b[1m\\ttab\\r\\n\""), Files.readString(f));
    }

    @Test
    void partial_line_kept_until_newline_then_written_on_close() throws Exception {
        Path f = dir.resolve("p.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), CLOCK);
        write(log, 1, "no newline yet");
        assertEquals("", Files.readString(f));
        log.close();
        JsonNode n = Json.MAPPER.readTree(Files.readAllLines(f).getFirst());
        assertEquals("no newline yet", n.get("log").asText());
        write(log, 1, "after close\n"); // ignored
        assertEquals(1, Files.readAllLines(f).size());
    }

    @Test
    void long_partial_line_written_in_16k_pieces() throws Exception {
        Path f = dir.resolve("l.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), CLOCK);
        String big = "x".repeat(40_000);
        write(log, 1, big);
        List<String> lines = Files.readAllLines(f);
        assertEquals(2, lines.size());
        assertEquals(16 * 1024, Json.MAPPER.readTree(lines.get(0)).get("log").asText().length());
        write(log, 1, "\n");
        log.close();
        StringBuilder all = new StringBuilder();
        for (String l : Files.readAllLines(f)) {
            all.append(Json.MAPPER.readTree(l).get("log").asText());
        }
        assertEquals(big + "\n", all.toString());
    }

    @Test
    void rotation_keeps_max_file_files_and_loses_nothing_in_between() throws Exception {
        Path f = dir.resolve("r.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of("max-size", "1k", "max-file", "3"), CLOCK);
        for (int i = 0; i < 200; i++) {
            write(log, 1, "line " + i + "\n");
        }
        log.close();
        assertEquals(List.of(f.resolveSibling("r.log.2"), f.resolveSibling("r.log.1"), f), JsonFileLog.files(f));
        assertTrue(!Files.exists(f.resolveSibling("r.log.3")));
        List<Integer> seen = new ArrayList<>();
        for (Path p : JsonFileLog.files(f)) {
            assertTrue(Files.size(p) < 1000 + 100, p + " " + Files.size(p));
            for (String l : Files.readAllLines(p)) {
                seen.add(Integer.parseInt(Json.MAPPER.readTree(l).get("log").asText().trim().substring(5)));
            }
        }
        // the last lines, contiguous and in order
        for (int i = 1; i < seen.size(); i++) {
            assertEquals(seen.get(i - 1) + 1, seen.get(i));
        }
        assertEquals(199, seen.getLast());
    }

    @Test
    void max_file_1_truncates() throws Exception {
        Path f = dir.resolve("t.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of("max-size", "500"), CLOCK);
        for (int i = 0; i < 50; i++) {
            write(log, 1, "line " + i + "\n");
        }
        log.close();
        assertEquals(List.of(f), JsonFileLog.files(f));
        assertTrue(Files.size(f) < 600);
    }

    @Test
    void options_validated_with_dockers_words() {
        assertEquals(new JsonFileLog.Options(10_000_000, 3),
                JsonFileLog.parseOptions(Map.of("max-size", "10m", "max-file", "3")));
        assertEquals(1000, JsonFileLog.parseSize("1k"));
        assertEquals(5_000_000, JsonFileLog.parseSize("5MB"));
        assertEquals(new JsonFileLog.Options(-1, 1), JsonFileLog.parseOptions(null));
        assertEquals("unknown log opt 'foo' for json-file log driver",
                assertThrows(PouchException.class, () -> JsonFileLog.parseOptions(Map.of("foo", "1"))).getMessage());
        assertEquals("max-file cannot be less than 1", assertThrows(PouchException.class,
                () -> JsonFileLog.parseOptions(Map.of("max-size", "1k", "max-file", "0"))).getMessage());
        assertEquals(400, assertThrows(PouchException.class,
                () -> JsonFileLog.parseOptions(Map.of("max-size", "ten"))).status());
    }

    @Test
    void compressionIsRefusedRatherThanDropped() {
        assertEquals(new JsonFileLog.Options(-1, 1), JsonFileLog.parseOptions(Map.of("compress", "false", "tag", "x")));
        PouchException e = assertThrows(PouchException.class,
                () -> JsonFileLog.parseOptions(Map.of("max-size", "1m", "compress", "true")));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("log option compress=true is not supported"), e.getMessage());
        assertTrue(assertThrows(PouchException.class, () -> JsonFileLog.parseOptions(Map.of("compress", "yes")))
                .getMessage().contains("invalid syntax"));
    }
}
