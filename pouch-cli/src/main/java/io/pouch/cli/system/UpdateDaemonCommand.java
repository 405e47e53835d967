package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pouch's {@code updatedaemon}: on a running pouchd, {@code --label} and {@code --image-proxy} are applied live
 * ({@code POST /daemon/update}); with {@code --offline}, or when pouchd does not answer, the config file is edited
 * instead (read at the next start). Flags Pouch has whose setting this pouchd does not know are refused, naming
 * them, and the file is left as it was.
 */
@Command(name = "updatedaemon", description = "Update the configurations of pouchd")
public class UpdateDaemonCommand extends PouchCommand {
    @Option(names = "--config-file", defaultValue = "/etc/pouch/config.json",
            description = "specified config file for updating daemon")
    String configFile;
    @Option(names = "--offline", description = "just update daemon config file")
    boolean offline;

    @Option(names = "--debug", arity = "0..1", fallbackValue = "true", description = "update daemon debug mode")
    Boolean debug;
    @Option(names = "--image-proxy", description = "update daemon image proxy")
    String imageProxy;
    @Option(names = "--label", split = ",", description = "update daemon labels")
    List<String> labels;
    @Option(names = "--manager-white-list", description = "update daemon manager white list")
    String managerWhiteList;
    @Option(names = "--exec-root-dir", description = "update exec root directory for network")
    String execRootDir;
    @Option(names = "--disable-bridge", arity = "0..1", fallbackValue = "true", description = "disable bridge network")
    Boolean disableBridge;
    @Option(names = "--bridge-name", description = "update daemon bridge device")
    String bridgeName;
    @Option(names = "--bip", description = "update daemon bridge IP")
    String bip;
    @Option(names = "--fixed-cidr", description = "update daemon bridge fixed CIDR")
    String fixedCidr;
    @Option(names = "--default-gateway", description = "update daemon bridge default gateway")
    String defaultGateway;
    @Option(names = "--iptables", arity = "0..1", fallbackValue = "true", description = "update daemon with iptables")
    Boolean iptables;
    @Option(names = "--ipforward", arity = "0..1", fallbackValue = "true", description = "udpate daemon with ipforward")
    Boolean ipforward;
    @Option(names = "--userland-proxy", arity = "0..1", fallbackValue = "true",
            description = "update daemon with userland proxy")
    Boolean userlandProxy;
    @Option(names = "--home-dir", description = "update daemon home dir")
    String homeDir;
    @Option(names = "--snapshotter", description = "update daemon snapshotter")
    String snapshotter;

    /** Flags applied live. */
    private static final List<String> LIVE = List.of("--label", "--image-proxy");
    /** Flags Pouch writes offline that name no setting of this pouchd: refused. */
    private static final List<String> UNKNOWN_TO_POUCHD = List.of("--manager-white-list", "--exec-root-dir",
            "--disable-bridge", "--default-gateway", "--userland-proxy", "--snapshotter");

    @Override
    public Integer call() throws IOException {
        List<String> given = given();
        if (!offline && daemonAnswers()) {
            List<String> notLive = given.stream().filter(f -> !LIVE.contains(f)).toList();
            if (!notLive.isEmpty()) {
                throw new CliException("pouchd is running: only --label and --image-proxy can be updated on a running"
                        + " daemon, not " + String.join(", ", notLive) + "; use --offline to write them to "
                        + configFile + " (read at its next start)");
            }
            ObjectNode body = Json.MAPPER.createObjectNode();
            if (labels != null) {
                ArrayNode a = body.putArray("Labels");
                labels.forEach(a::add);
            }
            if (imageProxy != null) {
                body.put("ImageProxy", imageProxy);
            }
            client().post("/daemon/update", null, body);
            return 0;
        }
        updateFile(Path.of(configFile), given);
        return 0;
    }

    /** The flags given on the command line, by their long name. */
    private List<String> given() {
        List<String> out = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (spec.commandLine().getParseResult().hasMatchedOption(o) && !o.longestName().equals("--config-file")
                    && !o.longestName().equals("--offline") && !o.usageHelp()) {
                out.add(o.longestName());
            }
        }
        return out;
    }

    private boolean daemonAnswers() {
        try {
            return client().ping().status() == 200;
        } catch (PouchClientException e) {
            if (!e.isTransportFailure()) {
                throw e;
            }
            return false;
        }
    }

    /** Pouch's offline update, with this pouchd's keys: the other keys of the file stay as they are. */
    void updateFile(Path file, List<String> given) throws IOException {
        List<String> refused = given.stream().filter(UNKNOWN_TO_POUCHD::contains).toList();
        if (!refused.isEmpty()) {
            throw new CliException("pouchd has no setting for " + String.join(", ", refused) + "; " + file
                    + " was not changed");
        }
        if (given.isEmpty()) {
            throw new CliException("nothing to update: give the settings to change");
        }
        ObjectNode config;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            JsonNode parsed = text.isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(text);
            if (!(parsed instanceof ObjectNode o)) {
                throw new CliException("failed to update daemon config file: " + file + " is not a JSON object");
            }
            config = o;
        } catch (NoSuchFileException e) {
            throw new CliException("failed to update daemon config file: failed to read config file(" + file
                    + "): no such file or directory");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CliException("failed to update daemon config file: failed to decode json: " + file + ": "
                    + e.getOriginalMessage());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("debug", debug);
        values.put("image-proxy", imageProxy);
        values.put("bridge-name", bridgeName);
        values.put("bip", bip);
        values.put("fixed-cidr", fixedCidr);
        values.put("iptables", iptables);
        values.put("ipforward", ipforward);
        values.put("home-dir", homeDir);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (given.contains("--" + e.getKey())) {
                config.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
            }
        }
        if (given.contains("--label")) {
            config.set("label", Json.MAPPER.valueToTree(mergeLabels(config.get("label"), labels)));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config) + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Pouch's merge: a given key replaces the file's label of that key, new keys are added, the order kept. */
    static List<String> mergeLabels(JsonNode existing, List<String> given) {
        Map<String, String> byKey = new LinkedHashMap<>();
        if (existing != null && existing.isArray()) {
            existing.forEach(n -> byKey.put(n.asText().split("=", 2)[0], n.asText()));
        }
        for (String label : given) {
            if (!label.contains("=") || label.startsWith("=")) {
                throw new CliException("invalid label " + label + ": a label is key=value");
            }
            byKey.put(label.split("=", 2)[0], label);
        }
        return List.copyOf(byKey.values());
    }
}
