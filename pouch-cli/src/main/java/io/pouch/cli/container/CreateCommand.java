package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.cli.CliException;
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
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
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
        out().println(create(client(), body, options, image, err()));
        return 0;
    }

    @Override
    public int errorExitCode() {
        return 125;
    }

    /**
     * Creates the container as docker does: pulls first with {@code --pull always}; with {@code missing} (the
     * default) says the image is not there, pulls it and creates again; with {@code never} the daemon's 404 is the
     * answer. {@code --cidfile} must not exist yet and gets the new ID.
     *
     * @return the new container's ID
     */
    static String create(PouchClient client, ObjectNode body, ContainerOptions o, String image, PrintWriter err)
            throws IOException {
        if (!List.of("always", "missing", "never").contains(o.pull)) {
            throw new CliException("invalid pull option: '" + o.pull + "': must be one of \"always\", \"missing\""
                    + " or \"never\"", 125);
        }
        Path cidfile = o.cidfile == null || o.cidfile.isEmpty() ? null : Path.of(o.cidfile);
        if (cidfile != null && Files.exists(cidfile)) {
            throw new CliException("container ID file found, make sure the other container isn't running or delete "
                    + o.cidfile, 125);
        }
        PrintWriter pullOut = o.quiet ? new PrintWriter(Writer.nullWriter()) : err;
        String ref = Reference.withDefaultTag(image);
        if (o.pull.equals("always")) {
            ImageCommands.pull(client, ref, o.platform, pullOut);
        }
        String id;
        try {
            id = send(client, body, o, err);
        } catch (PouchClientException e) {
            if (e.status() != 404 || !e.getMessage().startsWith("No such image") || !o.pull.equals("missing")) {
                throw e;
            }
            if (!o.quiet) {
                err.println("Unable to find image '" + ref + "' locally");
                err.flush();
            }
            ImageCommands.pull(client, ref, o.platform, pullOut);
            id = send(client, body, o, err);
        }
        if (cidfile != null) {
            try {
                Files.writeString(cidfile, id);
            } catch (IOException e) {
                throw new CliException("failed to write the container ID to the file: " + e.getMessage(), 125);
            }
        }
        return id;
    }

    private static String send(PouchClient client, ObjectNode body, ContainerOptions o, PrintWriter err) {
        JsonNode answer = client.post("/containers/create", Query.of("name", o.name, "platform", o.platform), body)
                .json();
        for (JsonNode w : answer.path("Warnings")) {
            err.println("WARNING: " + w.asText());
        }
        err.flush();
        return answer.path("Id").asText();
    }
}
