package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.TimeArgs;
import io.pouch.client.PouchClient;
import io.pouch.client.StdCopy;
import io.pouch.client.StreamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.time.Instant;

/** {@code logs}: reads Config.Tty first (as docker does) to know whether the stream is stdcopy-framed. */
@Command(name = "logs", description = "Fetch the logs of a container")
public class LogsCommand extends PouchCommand {
    @Option(names = {"-f", "--follow"}, description = "Follow log output")
    boolean follow;

    @Option(names = "--since", description = "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)")
    String since;

    @Option(names = "--until", description = "Show logs before a timestamp or relative time")
    String until;

    @Option(names = {"-n", "--tail"}, description = "Number of lines to show from the end of the logs",
            defaultValue = "all")
    String tail;

    @Option(names = {"-t", "--timestamps"}, description = "Show timestamps")
    boolean timestamps;

    @Option(names = "--details", description = "Show extra details provided to logs")
    boolean details;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String container;

    @Override
    public Integer call() throws IOException {
        PouchClient client = client();
        String path = "/containers/" + PouchClient.escape(container);
        JsonNode c = client.get(path + "/json", null).json();
        boolean tty = c.path("Config").path("Tty").asBoolean();
        Instant now = Instant.now();
        try (StreamResponse logs = client.stream("GET", path + "/logs", Query.of(
                "stdout", true, "stderr", true,
                "since", TimeArgs.timestamp(since, now), "until", TimeArgs.timestamp(until, now),
                "timestamps", timestamps ? Boolean.TRUE : null, "follow", follow ? Boolean.TRUE : null,
                "tail", tail, "details", details ? Boolean.TRUE : null), null)) {
            var out = new FileOutputStream(FileDescriptor.out);
            if (tty) {
                logs.body().transferTo(out);
            } else {
                StdCopy.demux(logs.body(), out, new FileOutputStream(FileDescriptor.err));
            }
        }
        return 0;
    }
}
