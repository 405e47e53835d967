package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pouch updatedaemon --offline}: edits the config file with pouchd's keys, refuses what pouchd lacks. */
class UpdateDaemonOfflineTest {
    @TempDir
    Path dir;

    private String err;

    private int run(Path file, String... flags) {
        List<String> args = new ArrayList<>(List.of("updatedaemon", "--offline", "--config-file", file.toString()));
        args.addAll(List.of(flags));
        CommandLine cl = Main.commandLine(args.toArray(String[]::new));
        StringWriter e = new StringWriter();
        cl.setErr(new PrintWriter(e));
        int code = cl.execute(args.toArray(String[]::new));
        err = e.toString();
        return code;
    }

    @Test
    void writesTheGivenSettingsAndKeepsTheRest() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"listen\": [\"unix:///run/p.sock\"], \"debug\": false}");
        assertEquals(0, run(file, "--debug", "--image-proxy", "http://127.0.0.1:3128", "--bip", "10.9.0.1/24",
                "--iptables=false"), err);
        var config = Json.MAPPER.readTree(file.toFile());
        assertEquals("[\"unix:///run/p.sock\"]", config.get("listen").toString());
        assertTrue(config.get("debug").asBoolean());
        assertEquals("http://127.0.0.1:3128", config.get("image-proxy").asText());
        assertEquals("10.9.0.1/24", config.get("bip").asText());
        assertEquals(false, config.get("iptables").asBoolean(true));
        assertEquals(5, config.size(), config.toString());
    }

    @Test
    void refusesWhatPouchdHasNoSettingForAndLeavesTheFile() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"debug\": false}");
        assertEquals(1, run(file, "--snapshotter", "btrfs", "--debug"));
        assertTrue(err.contains("pouchd has no setting for --snapshotter"), err);
        assertEquals("{\"debug\": false}", Files.readString(file));
        assertEquals(1, run(dir.resolve("missing.json"), "--debug"));
        assertTrue(err.contains("failed to read config file(" + dir.resolve("missing.json") + ")"), err);
    }

    @Test
    void mergesLabelsByKeyIntoTheLabelKey() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"label\": [\"zone=a\", \"rack=1\"]}");
        assertEquals(0, run(file, "--label", "zone=b,tier=gold"));
        JsonNode config = Json.MAPPER.readTree(file.toFile());
        assertEquals("[\"zone=b\",\"rack=1\",\"tier=gold\"]", config.get("label").toString());
        assertEquals(1, run(file, "--label", "=x"));
        assertTrue(err.contains("invalid label =x"), err);
    }
}
