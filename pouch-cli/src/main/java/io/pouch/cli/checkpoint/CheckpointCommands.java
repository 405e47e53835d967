package io.pouch.cli.checkpoint;

import io.pouch.cli.CommandGroup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.client.PouchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Pouch's {@code checkpoint create|ls|rm}, through Docker's {@code /containers/{id}/checkpoints} routes. */
public final class CheckpointCommands {
    private CheckpointCommands() {
    }

    private static String path(String container) {
        return "/containers/" + PouchClient.escape(container) + "/checkpoints";
    }

    @Command(name = "create", description = "Create a checkpoint from a running container")
    public static class Create extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;
        @Parameters(index = "1", paramLabel = "CHECKPOINT")
        String checkpoint;
        @Option(names = "--leave-running", description = "keep container running after creating checkpoint")
        boolean leaveRunning;
        @Option(names = "--checkpoint-dir", description = "directory to store checkpoints images")
        String dir;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("CheckpointID", checkpoint);
            if (dir != null) {
                body.put("CheckpointDir", dir);
            }
            body.put("Exit", !leaveRunning);
            client().post(path(container), null, body);
            out().println(checkpoint);
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List checkpoints for a container")
    public static class Ls extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;
        @Option(names = "--checkpoint-dir", description = "directory to store checkpoints images")
        String dir;

        @Override
        public Integer call() {
            for (JsonNode cp : client().get(path(container), Query.of("dir", dir)).json()) {
                out().println(cp.path("Name").asText());
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a checkpoint")
    public static class Rm extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;
        @Parameters(index = "1", paramLabel = "CHECKPOINT")
        String checkpoint;
        @Option(names = "--checkpoint-dir", description = "directory to store checkpoints images")
        String dir;

        @Override
        public Integer call() {
            client().delete(path(container) + "/" + PouchClient.escape(checkpoint), Query.of("dir", dir));
            out().println(checkpoint);
            return 0;
        }
    }

    @Command(name = "checkpoint", description = "Manage checkpoint commands",
            subcommands = {Create.class, Ls.class, Rm.class})
    public static class CheckpointGroup extends CommandGroup {
    }
}
