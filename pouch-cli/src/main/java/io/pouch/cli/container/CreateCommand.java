package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.image.ImageCommands;
import io.pouch.cli.image.Reference;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

@Command(name = "create", description = "Create a new container")
public class CreateCommand extends PouchCommand {
    @Mixin
    ContainerOptions options;

    @Parameters(index = "0", paramLabel = "IMAGE")
    String image;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        ObjectNode body = CreateRequest.build(options, image, command, true, System.getenv());
        out().println(create(client(), body, options.name, image, err()));
        return 0;
    }

    @Override
    public int errorExitCode() {
        return 125;
    }

    /**
     * Creates the container; when the image is missing, says so like docker and tries a pull (which fails with the
     * daemon's message if it cannot pull), then creates again.
     *
     * @return the new container's ID
     */
    static String create(PouchClient client, ObjectNode body, String name, String image, PrintWriter err)
            throws IOException {
        try {
            return send(client, body, name, err);
        } catch (PouchClientException e) {
            if (e.status() != 404 || !e.getMessage().startsWith("No such image")) {
                throw e;
            }
        }
        String ref = Reference.withDefaultTag(image);
        err.println("Unable to find image '" + ref + "' locally");
        err.flush();
        ImageCommands.pull(client, ref, err);
        return send(client, body, name, err);
    }

    private static String send(PouchClient client, ObjectNode body, String name, PrintWriter err) {
        JsonNode answer = client.post("/containers/create", Query.of("name", name), body).json();
        for (JsonNode w : answer.path("Warnings")) {
            err.println("WARNING: " + w.asText());
        }
        err.flush();
        return answer.path("Id").asText();
    }
}
