package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.Main;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.format.GoTemplate;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code version}: the client part always prints; the server part needs the daemon. */
@Command(name = "version", description = "Show the Pouch version information")
public class VersionCommand extends PouchCommand {
    @Option(names = {"-f", "--format"}, description = "Format output using a Go template")
    String format;

    @Override
    public Integer call() {
        PouchClient client = client();
        ObjectNode data = Json.MAPPER.createObjectNode();
        ObjectNode c = data.putObject("Client");
        c.put("Version", Main.VERSION);
        c.put("ApiVersion", PouchClient.API_VERSION);
        c.put("JavaVersion", Runtime.version().toString());
        c.put("Os", "linux");
        c.put("Arch", arch());
        PouchClientException failure = null;
        try {
            data.set("Server", client.get("/version", null).json());
            c.put("ApiVersion", client.apiVersion());
        } catch (PouchClientException e) {
            failure = e;
        }
        if (format != null) {
            out().println(GoTemplate.parse(format).execute(data));
        } else {
            printClient(c);
            if (data.has("Server")) {
                printServer(data.get("Server"));
            }
        }
        out().flush();
        if (failure != null) {
            throw failure;
        }
        return 0;
    }

    private void printClient(JsonNode c) {
        var o = out();
        o.println("Client:");
        o.printf(" Version:           %s%n", c.path("Version").asText());
        String api = c.path("ApiVersion").asText();
        o.printf(" API version:       %s%s%n", api, api.equals(PouchClient.API_VERSION) ? ""
                : " (downgraded from " + PouchClient.API_VERSION + ")");
        o.printf(" Java version:      %s%n", c.path("JavaVersion").asText());
        o.printf(" OS/Arch:           %s/%s%n", c.path("Os").asText(), c.path("Arch").asText());
    }

    private void printServer(JsonNode s) {
        var o = out();
        o.println();
        String platform = s.path("Platform").path("Name").asText("");
        o.println("Server:" + (platform.isEmpty() ? "" : " " + platform));
        JsonNode components = s.path("Components");
        if (!components.isArray() || components.isEmpty()) {
            o.println(" Engine:");
            o.printf("  Version:          %s%n", s.path("Version").asText());
            o.printf("  API version:      %s (minimum version %s)%n", s.path("ApiVersion").asText(),
                    s.path("MinAPIVersion").asText());
            o.printf("  OS/Arch:          %s/%s%n", s.path("Os").asText(), s.path("Arch").asText());
            return;
        }
        for (JsonNode comp : components) {
            String name = comp.path("Name").asText();
            JsonNode d = comp.path("Details");
            o.println(" " + name + ":");
            o.printf("  %-17s %s%n", "Version:", comp.path("Version").asText());
            if (name.equals("Engine")) {
                o.printf("  %-17s %s (minimum version %s)%n", "API version:", s.path("ApiVersion").asText(),
                        s.path("MinAPIVersion").asText());
                o.printf("  %-17s %s%n", "Go version:", d.path("GoVersion").asText(s.path("GoVersion").asText()));
                o.printf("  %-17s %s%n", "Git commit:", d.path("GitCommit").asText(s.path("GitCommit").asText()));
                o.printf("  %-17s %s%n", "Built:", d.path("BuildTime").asText(s.path("BuildTime").asText()));
                o.printf("  %-17s %s/%s%n", "OS/Arch:", s.path("Os").asText(), s.path("Arch").asText());
                o.printf("  %-17s %s%n", "Experimental:", d.path("Experimental").asText("false"));
            } else {
                o.printf("  %-17s %s%n", "GitCommit:", d.path("GitCommit").asText());
            }
        }
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }
}
