package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.client.PouchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.List;

@Command(name = "start", description = "Start one or more stopped containers")
public class StartCommand extends PouchCommand {
    @Option(names = {"-a", "--attach"}, description = "Attach STDOUT/STDERR and forward signals")
    boolean attach;

    @Option(names = {"-i", "--interactive"}, description = "Attach container's STDIN")
    boolean interactive;

    @Option(names = "--checkpoint", description = "Restore from this checkpoint")
    String checkpoint;

    @Option(names = "--checkpoint-dir", description = "Use a custom checkpoint storage directory")
    String checkpointDir;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER")
    List<String> containers;

    @Override
    public Integer call() throws IOException {
        PouchClient client = client();
        if (attach || interactive) {
            if (checkpoint != null) {
                throw new CliException("--checkpoint cannot be combined with --attach or --interactive");
            }
            if (containers.size() > 1) {
                throw new CliException("you cannot start and attach multiple containers at once");
            }
            JsonNode c = client.get("/containers/" + PouchClient.escape(containers.get(0)) + "/json", null).json();
            boolean tty = c.path("Config").path("Tty").asBoolean();
            boolean stdin = interactive && c.path("Config").path("OpenStdin").asBoolean();
            try {
                return Attach.run(client, c.path("Id").asText(), tty, stdin, "next-exit", true, err());
            } catch (Attach.StartFailed e) {
                err().println("Error response from daemon: " + e.getMessage());
                err().flush();
                return e.exitCode;
            }
        }
        boolean failed = false;
        for (String name : containers) {
            try {
                client.post("/containers/" + PouchClient.escape(name) + "/start",
                        Query.of("checkpoint", checkpoint, "checkpoint-dir", checkpointDir), null);
                out().println(name);
            } catch (RuntimeException e) {
                report(e);
                failed = true;
            }
        }
        if (failed) {
            err().println("Error: failed to start containers: " + String.join(", ", containers));
        }
        return failed ? 1 : 0;
    }
}
