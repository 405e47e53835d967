package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run}: create, then either start and print the ID ({@code -d}) or attach, start and wait, exiting with the
 * container's exit code. Errors before the container runs exit 125 (126/127 when the command cannot be run).
 */
@Command(name = "run", description = "Run a command in a new container")
public class RunCommand extends PouchCommand {
    @Mixin
    ContainerOptions options;

    @Option(names = {"-d", "--detach"}, description = "Run container in background and print container ID")
    boolean detach;

    @Option(names = "--detach-keys", description = "Override the key sequence for detaching a container")
    String detachKeys;

    @Option(names = "--sig-proxy", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Proxy received signals to the process (default true)")
    boolean sigProxy;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        PouchClient client = client();
        if (detachKeys != null) {
            DetachKeys.parse(detachKeys);
        }
        ObjectNode body = CreateRequest.build(options, image, command, !detach, System.getenv());
        String id = CreateCommand.create(client, body, options, image, err());
        try {
            if (detach) {
                try {
                    client.post("/containers/" + id + "/start", null, null);
                } catch (PouchClientException e) {
                    if (e.isTransportFailure()) {
                        throw e;
                    }
                    throw new Attach.StartFailed(e);
                }
                out().println(id);
                return 0;
            }
            Attach.Streams streams = new Attach.Streams(body.path("AttachStdin").asBoolean(),
                    body.path("AttachStdout").asBoolean(), body.path("AttachStderr").asBoolean(), detachKeys);
            // as docker: signals the CLI gets go to the container, unless it has a terminal (which sends its own)
            try (SignalProxy proxy = sigProxy && !options.tty ? SignalProxy.forward(client, id) : SignalProxy.NONE) {
                return Attach.run(client, id, options.tty, streams, options.autoRemove ? "removed" : "next-exit", true,
                        err());
            }
        } catch (Attach.StartFailed e) {
            err().println("Error response from daemon: " + e.getMessage());
            err().flush();
            if (options.autoRemove) {
                removeQuietly(client, id);
            }
            return e.exitCode;
        }
    }

    private static void removeQuietly(PouchClient client, String id) {
        try {
            client.delete("/containers/" + id, Query.of("force", true));
        } catch (RuntimeException ignored) {
            // the daemon may have removed it already (AutoRemove)
        }
    }

    @Override
    public int errorExitCode() {
        return 125;
    }
}
