package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.format.Units;
import io.pouch.client.HijackedConnection;
import io.pouch.client.PouchClient;
import io.pouch.client.StdCopy;
import io.pouch.client.StreamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** exec, top, stats, diff, export: the commands that look into a container. */
public final class ExecCommands {
    private ExecCommands() {
    }

    @Command(name = "exec", description = "Execute a command in a running container")
    public static class Exec extends PouchCommand {
        @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached")
        boolean interactive;

        @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY")
        boolean tty;

        @Option(names = {"-d", "--detach"}, description = "Detached mode: run command in the background")
        boolean detach;

        @Option(names = {"-e", "--env"}, description = "Set environment variables")
        List<String> env;

        @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])")
        String user;

        @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container")
        String workdir;

        @Option(names = "--privileged", description = "Give extended privileges to the command")
        boolean privileged;

        @Option(names = "--detach-keys", description = "Override the key sequence for detaching a container")
        String detachKeys;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND")
        List<String> command;

        @Override
        public Integer call() throws IOException {
            PouchClient client = client();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("User", user == null ? "" : user);
            body.put("Privileged", privileged);
            body.put("Tty", tty);
            body.put("AttachStdin", interactive && !detach);
            body.put("AttachStdout", !detach);
            body.put("AttachStderr", !detach);
            body.put("DetachKeys", detachKeys == null ? "" : detachKeys);
            body.put("Env", env == null ? List.of() : env);
            body.put("WorkingDir", workdir == null ? "" : workdir);
            body.put("Cmd", command);
            String id = client.post("/containers/" + PouchClient.escape(container) + "/exec", null, body).json()
                    .path("Id").asText();
            Map<String, Object> start = Map.of("Detach", detach, "Tty", tty);
            if (detach) {
                client.post("/exec/" + id + "/start", null, start);
                return 0;
            }
            Terminal terminal = tty && interactive ? Terminal.makeRaw() : Terminal.NONE;
            try (HijackedConnection conn = client.hijack("/exec/" + id + "/start", null, start)) {
                if (tty) {
                    terminal.size().ifPresent(hw -> {
                        try {
                            client.post("/exec/" + id + "/resize", Query.of("h", hw[0], "w", hw[1]), null);
                        } catch (RuntimeException ignored) {
                            // the exec runs at the default size when the resize fails; not worth failing it
                        }
                    });
                }
                if (interactive) {
                    Thread pump = new Thread(() -> pump(System.in, conn), "stdin");
                    pump.setDaemon(true);
                    pump.start();
                } else {
                    conn.closeWrite();
                }
                OutputStream out = new FileOutputStream(FileDescriptor.out);
                try {
                    if (tty) {
                        conn.input().transferTo(out);
                    } else {
                        StdCopy.demux(conn.input(), out, new FileOutputStream(FileDescriptor.err));
                    }
                } catch (IOException e) {
                    // stream broke; the exit code below says what happened
                }
            } finally {
                terminal.restore();
            }
            JsonNode inspect = client.get("/exec/" + id + "/json", null).json();
            return inspect.path("ExitCode").asInt(0);
        }

        private static void pump(InputStream in, HijackedConnection conn) {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    conn.output().write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // stdin is over either way
            } finally {
                conn.closeWrite();
            }
        }
    }

    @Command(name = "top", description = "Display the running processes of a container")
    public static class Top extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "PS_OPTIONS")
        List<String> psArgs;

        @Override
        public Integer call() {
            JsonNode top = client().get("/containers/" + PouchClient.escape(container) + "/top",
                    Query.of("ps_args", psArgs == null || psArgs.isEmpty() ? null : String.join(" ", psArgs))).json();
            List<List<String>> rows = new ArrayList<>();
            List<String> titles = new ArrayList<>();
            top.path("Titles").forEach(t -> titles.add(t.asText()));
            rows.add(titles);
            top.path("Processes").forEach(p -> {
                List<String> r = new ArrayList<>();
                p.forEach(f -> r.add(f.asText()));
                rows.add(r);
            });
            printTable(rows);
            return 0;
        }
    }

    @Command(name = "stats", description = "Display a live stream of container(s) resource usage statistics")
    public static class Stats extends PouchCommand {
        @Option(names = "--no-stream", description = "Disable streaming stats and only pull the first result")
        boolean noStream;

        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PouchClient client = client();
            do {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O",
                        "BLOCK I/O", "PIDS"));
                for (String c : containers) {
                    JsonNode s = client.get("/containers/" + PouchClient.escape(c) + "/stats",
                            Query.of("stream", false)).json();
                    rows.add(row(s));
                }
                if (!noStream) {
                    out().print("\033[2J\033[H");
                }
                printTable(rows);
                out().flush();
            } while (!noStream);
            return 0;
        }

        static List<String> row(JsonNode s) {
            JsonNode cpu = s.path("cpu_stats");
            JsonNode pre = s.path("precpu_stats");
            double cpuDelta = cpu.path("cpu_usage").path("total_usage").asDouble()
                    - pre.path("cpu_usage").path("total_usage").asDouble();
            double sysDelta = cpu.path("system_cpu_usage").asDouble() - pre.path("system_cpu_usage").asDouble();
            double cpuPct = sysDelta > 0 && cpuDelta > 0
                    ? cpuDelta / sysDelta * Math.max(1, cpu.path("online_cpus").asInt(1)) * 100 : 0;
            JsonNode mem = s.path("memory_stats");
            double cache = mem.path("stats").has("total_inactive_file")
                    ? mem.path("stats").path("total_inactive_file").asDouble()
                    : mem.path("stats").path("inactive_file").asDouble();
            double used = Math.max(0, mem.path("usage").asDouble() - cache);
            double limit = mem.path("limit").asDouble();
            long rx = 0;
            long tx = 0;
            for (JsonNode n : s.path("networks")) {
                rx += n.path("rx_bytes").asLong();
                tx += n.path("tx_bytes").asLong();
            }
            long read = 0;
            long write = 0;
            for (JsonNode b : s.path("blkio_stats").path("io_service_bytes_recursive")) {
                String op = b.path("op").asText().toLowerCase();
                if (op.equals("read")) {
                    read += b.path("value").asLong();
                } else if (op.equals("write")) {
                    write += b.path("value").asLong();
                }
            }
            return List.of(s.path("id").asText().substring(0, Math.min(12, s.path("id").asText().length())),
                    s.path("name").asText().replaceFirst("^/", ""), String.format("%.2f%%", cpuPct),
                    Units.bytesSize(used) + " / " + Units.bytesSize(limit),
                    String.format("%.2f%%", limit > 0 ? used / limit * 100 : 0),
                    Units.humanSize(rx) + " / " + Units.humanSize(tx),
                    Units.humanSize(read) + " / " + Units.humanSize(write),
                    s.path("pids_stats").path("current").asText("0"));
        }
    }

    @Command(name = "diff", description = "Inspect changes to files or directories on a container's filesystem")
    public static class Diff extends PouchCommand {
        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() {
            JsonNode changes = client().get("/containers/" + PouchClient.escape(container) + "/changes", null).json();
            for (JsonNode c : changes) {
                String kind = switch (c.path("Kind").asInt()) {
                    case 0 -> "C";
                    case 1 -> "A";
                    default -> "D";
                };
                out().println(kind + " " + c.path("Path").asText());
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Export a container's filesystem as a tar archive")
    public static class Export extends PouchCommand {
        @Option(names = {"-o", "--output"}, description = "Write to a file, instead of STDOUT")
        Path output;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Override
        public Integer call() throws IOException {
            if (output == null && System.console() != null) {
                throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }
            try (StreamResponse r = client().stream("GET", "/containers/" + PouchClient.escape(container) + "/export",
                    null, null)) {
                if (output != null) {
                    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
                    Files.copy(r.body(), tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    OutputStream out = new FileOutputStream(FileDescriptor.out);
                    r.body().transferTo(out);
                    out.flush();
                }
            }
            return 0;
        }
    }

    @Command(name = "commit", description = "Create a new image from a container's changes")
    public static class Commit extends PouchCommand {
        @Option(names = {"-a", "--author"}, description = "Author")
        String author;

        @Option(names = {"-c", "--change"}, description = "Apply Dockerfile instruction to the created image")
        List<String> changes;

        @Option(names = {"-m", "--message"}, description = "Commit message")
        String message;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
        String reference;

        @Override
        public Integer call() {
            String repo = null;
            String tag = null;
            if (reference != null) {
                int colon = reference.lastIndexOf(':');
                if (colon > reference.lastIndexOf('/')) {
                    repo = reference.substring(0, colon);
                    tag = reference.substring(colon + 1);
                } else {
                    repo = reference;
                }
            }
            Map<String, Object> q = new LinkedHashMap<>(Query.of("container", container, "repo", repo, "tag", tag,
                    "comment", message, "author", author));
            if (changes != null) {
                q.put("changes", changes);
            }
            out().println(client().post("/commit", q, null).json().path("Id").asText());
            return 0;
        }
    }

    @Command(name = "cp", description = "Copy files/folders between a container and the local filesystem",
            footer = {"", "Use '-' as the source to read a tar archive from stdin and extract it to a directory "
                    + "destination in a container.", "Use '-' as the destination to stream a tar archive of a "
                    + "container source to stdout."})
    public static class Cp extends PouchCommand {
        @Parameters(index = "0", paramLabel = "SRC_PATH|CONTAINER:SRC_PATH")
        String src;

        @Parameters(index = "1", paramLabel = "DEST_PATH|CONTAINER:DEST_PATH")
        String dest;

        @Option(names = {"-a", "--archive"}, description = "Archive mode (copy all uid/gid information)")
        boolean archive;

        @Option(names = {"-L", "--follow-link"}, description = "Always follow symbol link in SRC_PATH")
        boolean followLink;

        @Option(names = {"-q", "--quiet"}, description = "Suppress progress output during copy. Progress output is "
                + "automatically suppressed if no terminal is attached")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            try {
                return new CpCommand(client(), err(), followLink, archive, quiet).run(src, dest);
            } catch (CopyPaths.CopyException e) {
                // docker prints these bare (no "Error:" prefix) and exits 1
                err().println(e.getMessage());
                err().flush();
                return 1;
            }
        }
    }

    /** docker's table layout: columns padded to the widest cell plus three spaces. */
    static void printTable(List<List<String>> rows) {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] w = new int[cols];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                sb.append(r.get(i));
                if (i < r.size() - 1) {
                    sb.append(" ".repeat(w[i] - r.get(i).length() + 3));
                }
            }
            sb.append('\n');
        }
        System.out.print(sb);
        System.out.flush();
    }
}
