package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.daemon.logs.JsonFileLog;
import io.pouch.daemon.logs.JsonFileLogReader;
import io.pouch.daemon.logs.LogAttributes;
import io.pouch.daemon.logs.LogQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** docker's extra log attributes: which labels and env they take, how json-file stores them, how --details shows them. */
class LogAttributesTest {
    @TempDir
    Path dir;

    @Test
    void namedAndMatchedLabelsAndEnv() {
        Map<String, String> labels = Map.of("app", "web", "tier", "front", "team.x", "a b");
        List<String> env = List.of("PATH=/bin", "MODE=prod", "DEBUG_LEVEL=2", "EMPTY=");
        assertEquals(Map.of(), LogAttributes.extract(Map.of(), labels, env));
        assertEquals(Map.of("app", "web", "MODE", "prod", "EMPTY", ""), LogAttributes.extract(
                Map.of("labels", "app,missing", "env", "MODE,EMPTY,NOPE"), labels, env));
        assertEquals(Map.of("team.x", "a b", "DEBUG_LEVEL", "2"), LogAttributes.extract(
                Map.of("labels-regex", "^team", "env-regex", "^DEBUG"), labels, env));
        assertThrows(PouchException.class, () -> LogAttributes.validate(Map.of("env-regex", "(")));
        assertThrows(PouchException.class, () -> JsonFileLog.parseOptions(Map.of("labels-regex", "[")));
    }

    @Test
    void renderedSortedAndQueryEscapedLikeGo() {
        assertEquals("MODE=prod,app=web,team.x=a+b%2C%3D%2A~",
                LogAttributes.render(Map.of("app", "web", "team.x", "a b,=*~", "MODE", "prod")));
        assertEquals("", LogAttributes.render(Map.of()));
    }

    @Test
    void jsonFileStoresAttrsInDockersFieldOrderAndTheReaderReturnsThem() throws Exception {
        Path f = dir.resolve("c-json.log");
        JsonFileLog log = JsonFileLog.open(f, Map.of(), Map.of("b", "2", "a", "1"), JsonFileLogTest.CLOCK);
        JsonFileLogTest.write(log, 1, "hi\n");
        log.close();
        assertEquals("{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"attrs\":{\"a\":\"1\",\"b\":\"2\"},"
                + "\"time\":\"2026-11-29T22:10:00.123456789Z\"}\n", Files.readString(f));
        List<Map<String, String>> attrs = new ArrayList<>();
        JsonFileLogReader.read(f, LogQuery.ALL, line -> attrs.add(line.attrs()), () -> false);
        assertEquals(List.of(Map.of("a", "1", "b", "2")), attrs);
    }
}
