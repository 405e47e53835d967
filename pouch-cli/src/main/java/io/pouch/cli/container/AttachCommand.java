package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.client.PouchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;

@Command(name = "attach", description = "Attach local standard input, output, and error streams to a running container")
public class AttachCommand extends PouchCommand {
    @Option(names = "--no-stdin", description = "Do not attach STDIN")
    boolean noStdin;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws IOException {
        PouchClient client = client();
        JsonNode c = client.get("/containers/" + PouchClient.escape(container) + "/json", null).json();
        if (!c.path("State").path("Running").asBoolean()) {
            throw new CliException("You cannot attach to a stopped container, start it first");
        }
        boolean stdin = !noStdin && c.path("Config").path("OpenStdin").asBoolean();
        return Attach.run(client, c.path("Id").asText(), c.path("Config").path("Tty").asBoolean(), stdin,
                "next-exit", false, err());
    }
}
