package io.pouch.cli.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.format.GoTemplate;
import io.pouch.cli.format.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code info}: the daemon's /info, in docker's layout (the fields pouchd and dockerd both report). */
@Command(name = "info", description = "Display system-wide information")
public class InfoCommand extends PouchCommand {
    @Option(names = {"-f", "--format"}, description = "Format output using a Go template")
    String format;

    @Override
    public Integer call() {
        JsonNode i = client().get("/info", null).json();
        var o = out();
        if (format != null) {
            o.println(GoTemplate.parse(format).execute(i));
            o.flush();
            return 0;
        }
        o.println("Server:");
        o.println(" Containers: " + i.path("Containers").asLong());
        o.println("  Running: " + i.path("ContainersRunning").asLong());
        o.println("  Paused: " + i.path("ContainersPaused").asLong());
        o.println("  Stopped: " + i.path("ContainersStopped").asLong());
        o.println(" Images: " + i.path("Images").asLong());
        line(" Server Version: ", i, "ServerVersion");
        line(" Storage Driver: ", i, "Driver");
        // the engine's status pairs, as docker info prints them (P2P image distribution's totals)
        for (JsonNode pair : i.path("SystemStatus")) {
            o.println(" " + pair.path(0).asText() + ": " + pair.path(1).asText());
        }
        line(" Logging Driver: ", i, "LoggingDriver");
        line(" Cgroup Driver: ", i, "CgroupDriver");
        line(" Cgroup Version: ", i, "CgroupVersion");
        List<String> runtimes = new ArrayList<>();
        i.path("Runtimes").fieldNames().forEachRemaining(runtimes::add);
        if (!runtimes.isEmpty()) {
            o.println(" Runtimes: " + String.join(" ", runtimes));
        }
        line(" Default Runtime: ", i, "DefaultRuntime");
        line(" Kernel Version: ", i, "KernelVersion");
        line(" Operating System: ", i, "OperatingSystem");
        line(" OSType: ", i, "OSType");
        line(" Architecture: ", i, "Architecture");
        o.println(" CPUs: " + i.path("NCPU").asLong());
        o.println(" Total Memory: " + Units.bytesSize(i.path("MemTotal").asLong()));
        line(" Name: ", i, "Name");
        line(" ID: ", i, "ID");
        line(" Pouch Root Dir: ", i, "DockerRootDir");
        o.println(" Debug Mode: " + i.path("Debug").asBoolean());
        o.println(" Experimental: " + i.path("ExperimentalBuild").asBoolean());
        if (i.path("Labels").size() > 0) {
            // as docker info lists the engine's labels (set at start or by pouch updatedaemon --label)
            o.println(" Labels:");
            i.path("Labels").forEach(l -> o.println("  " + l.asText()));
        }
        o.println(" Live Restore Enabled: " + i.path("LiveRestoreEnabled").asBoolean());
        for (JsonNode w : i.path("Warnings")) {
            err().println(w.asText());
        }
        o.flush();
        err().flush();
        return 0;
    }

    private void line(String label, JsonNode i, String field) {
        if (i.hasNonNull(field) && !i.get(field).asText().isEmpty()) {
            out().println(label + i.get(field).asText());
        }
    }
}
