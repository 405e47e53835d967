package io.pouch.cli.container;

import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;

/** The one-call-per-container commands. Each prints the name it was given on success, like docker. */
public final class ContainerCommands {
    private ContainerCommands() {
    }

    /** Runs {@code action} for each container, reports failures and carries on; exit 1 if any failed. */
    abstract static class ForEach extends PouchCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        abstract void apply(PouchClient client, String path, String name);

        @Override
        public Integer call() {
            PouchClient client = client();
            boolean failed = false;
            for (String name : containers) {
                try {
                    apply(client, "/containers/" + PouchClient.escape(name), name);
                } catch (RuntimeException e) {
                    report(e);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }

        void post(PouchClient client, String path, String name, Map<String, Object> query) {
            client.post(path, query, null);
            out().println(name);
        }
    }

    @Command(name = "stop", description = "Stop one or more running containers")
    public static class Stop extends ForEach {
        @Option(names = {"-t", "--time"}, description = "Seconds to wait before killing the container")
        Integer time;

        @Option(names = {"-s", "--signal"}, description = "Signal to send to the container")
        String signal;

        @Override
        void apply(PouchClient client, String path, String name) {
            post(client, path + "/stop", name, Query.of("signal", signal, "t", time));
        }
    }

    @Command(name = "kill", description = "Kill one or more running containers")
    public static class Kill extends ForEach {
        @Option(names = {"-s", "--signal"}, description = "Signal to send to the container")
        String signal;

        @Override
        void apply(PouchClient client, String path, String name) {
            post(client, path + "/kill", name, Query.of("signal", signal));
        }
    }

    @Command(name = "restart", description = "Restart one or more containers")
    public static class Restart extends ForEach {
        @Option(names = {"-t", "--time"}, description = "Seconds to wait before killing the container")
        Integer time;

        @Option(names = {"-s", "--signal"}, description = "Signal to send to the container")
        String signal;

        @Override
        void apply(PouchClient client, String path, String name) {
            post(client, path + "/restart", name, Query.of("signal", signal, "t", time));
        }
    }

    @Command(name = "pause", description = "Pause all processes within one or more containers")
    public static class Pause extends ForEach {
        @Override
        void apply(PouchClient client, String path, String name) {
            post(client, path + "/pause", name, null);
        }
    }

    @Command(name = "unpause", description = "Unpause all processes within one or more containers")
    public static class Unpause extends ForEach {
        @Override
        void apply(PouchClient client, String path, String name) {
            post(client, path + "/unpause", name, null);
        }
    }

    @Command(name = "rm", description = "Remove one or more containers")
    public static class Rm extends ForEach {
        @Option(names = {"-f", "--force"}, description = "Force the removal of a running container (uses SIGKILL)")
        boolean force;

        @Option(names = {"-v", "--volumes"}, description = "Remove anonymous volumes associated with the container")
        boolean volumes;

        @Override
        void apply(PouchClient client, String path, String name) {
            client.delete(path, Query.of("force", force ? Boolean.TRUE : null, "v", volumes ? Boolean.TRUE : null));
            out().println(name);
        }
    }

    @Command(name = "wait", description = "Block until one or more containers stop, then print their exit codes")
    public static class Wait extends ForEach {
        @Override
        void apply(PouchClient client, String path, String name) {
            var result = client.post(path + "/wait", null, null).json();
            String error = result.path("Error").path("Message").asText("");
            if (!error.isEmpty()) {
                throw new PouchClientException(500, error);
            }
            out().println(result.path("StatusCode").asLong());
        }
    }

    @Command(name = "rename", description = "Rename a container")
    public static class Rename extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1", paramLabel = "NEW_NAME")
        String newName;

        @Override
        public Integer call() {
            client().post("/containers/" + PouchClient.escape(container) + "/rename", Query.of("name", newName), null);
            return 0;
        }
    }
}
