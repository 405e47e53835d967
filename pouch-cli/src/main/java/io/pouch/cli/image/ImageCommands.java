package io.pouch.cli.image;

import io.pouch.cli.CommandGroup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.format.ListFormat;
import io.pouch.cli.format.Units;
import io.pouch.cli.registry.AuthStore;
import io.pouch.cli.registry.RegistryCommands;
import io.pouch.cli.system.InspectCommand;
import io.pouch.client.PouchClient;
import io.pouch.client.StreamResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Image commands: images/ls, inspect, tag, rmi/rm, save, load, import, history, pull. */
public final class ImageCommands {
    private ImageCommands() {
    }

    /** Pulls {@code ref} (tag included), printing progress to {@code out}; throws with the daemon's error. */
    public static void pull(PouchClient client, String ref, PrintWriter out) throws IOException {
        pull(client, ref, null, out);
    }

    /** @param platform os[/arch[/variant]] to pull, as run/create --platform asks; null for the daemon's own */
    public static void pull(PouchClient client, String ref, String platform, PrintWriter out) throws IOException {
        Reference r = Reference.parse(ref);
        String tag = r.digest() != null ? r.digest() : r.tag() == null ? "latest" : r.tag();
        // registry credentials saved by pouch login or docker login
        Map<String, String> auth = Map.of("X-Registry-Auth", AuthStore.fromEnvironment()
                .header(RegistryCommands.registryOf(r.repository())));
        try (StreamResponse s = client.stream("POST", "/images/create",
                Query.of("fromImage", r.repository(), "tag", tag, "platform", platform), null, auth)) {
            if (isTerminal()) {
                Progress.printTerminal(s.body(), out);
            } else {
                Progress.print(s.body(), out);
            }
        }
    }

    /** Pulls every tag of {@code repository} (the daemon does that when the request has no tag). */
    static void pullAllTags(PouchClient client, String repository, PrintWriter out) throws IOException {
        Map<String, String> auth = Map.of("X-Registry-Auth", AuthStore.fromEnvironment()
                .header(RegistryCommands.registryOf(repository)));
        try (StreamResponse s = client.stream("POST", "/images/create", Query.of("fromImage", repository), null, auth)) {
            if (isTerminal()) {
                Progress.printTerminal(s.body(), out);
            } else {
                Progress.print(s.body(), out);
            }
        }
    }

    private static boolean isTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    @Command(name = "pull", description = "Download an image from a registry")
    public static class Pull extends PouchCommand {
        @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]")
        String image;

        @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
        boolean quiet;

        @Option(names = {"-a", "--all-tags"}, description = "Download all tagged images in the repository")
        boolean allTags;

        @Override
        public Integer call() throws IOException {
            if (allTags) {
                Reference r = Reference.parse(image);
                if (r.tag() != null || r.digest() != null) {
                    throw new CliException("tag can't be used with --all-tags/-a", 125);
                }
                pullAllTags(client(), r.repository(), quiet ? new PrintWriter(OutputStream.nullOutputStream()) : out());
                out().println(r.repository());
                return 0;
            }
            String ref = Reference.withDefaultTag(image);
            pull(client(), ref, quiet ? new PrintWriter(OutputStream.nullOutputStream()) : out());
            out().println(ref);
            return 0;
        }
    }

    @Command(name = "images", description = "List images")
    public static class Images extends PouchCommand {
        static final String DEFAULT_FORMAT =
                "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
        static final String DIGEST_FORMAT =
                "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
        static final Map<String, String> HEADERS = Map.of("Repository", "REPOSITORY", "Tag", "TAG",
                "ID", "IMAGE ID", "CreatedSince", "CREATED", "CreatedAt", "CREATED AT", "Size", "SIZE",
                "Digest", "DIGEST", "Containers", "CONTAINERS", "SharedSize", "SHARED SIZE",
                "UniqueSize", "UNIQUE SIZE");

        @Parameters(index = "0", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
        String reference;

        @Option(names = {"-a", "--all"}, description = "Show all images (default hides intermediate images)")
        boolean all;

        @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
        boolean quiet;

        @Option(names = "--digests", description = "Show digests")
        boolean digests;

        @Option(names = "--no-trunc", description = "Don't truncate output")
        boolean noTrunc;

        @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided")
        List<String> filters = new ArrayList<>();

        @Option(names = "--format", description = "Format output using a Go template, 'table ...' or 'json'")
        String format;

        @Override
        public Integer call() {
            List<String> f = new ArrayList<>(filters);
            if (reference != null) {
                f.add("reference=" + reference);
            }
            JsonNode list = client().get("/images/json", Query.of("all", all ? Boolean.TRUE : null,
                    "filters", Query.filters(f))).json();
            Instant now = Instant.now();
            List<ObjectNode> rows = new ArrayList<>();
            for (JsonNode img : list) {
                rows.addAll(rows(img, !noTrunc, now));
            }
            if (quiet) {
                Set<String> ids = new LinkedHashSet<>();
                rows.forEach(r -> ids.add(r.get("ID").asText()));
                ids.forEach(out()::println);
                out().flush();
                return 0;
            }
            String fmt = format != null ? format : digests ? DIGEST_FORMAT : DEFAULT_FORMAT;
            out().print(new ListFormat(fmt, HEADERS).render(rows));
            out().flush();
            return 0;
        }

        /** One row per repository:tag (docker's image formatter), or one {@code <none>} row for untagged images. */
        static List<ObjectNode> rows(JsonNode img, boolean trunc, Instant now) {
            List<ObjectNode> rows = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            img.path("RepoTags").forEach(t -> {
                if (!t.asText().equals("<none>:<none>")) {
                    tags.add(t.asText());
                }
            });
            List<String> repoDigests = new ArrayList<>();
            img.path("RepoDigests").forEach(d -> repoDigests.add(d.asText()));
            if (tags.isEmpty()) {
                if (repoDigests.isEmpty() || repoDigests.get(0).startsWith("<none>")) {
                    rows.add(row(img, "<none>", "<none>", "<none>", trunc, now));
                } else {
                    for (String rd : repoDigests) {
                        int at = rd.indexOf('@');
                        rows.add(row(img, rd.substring(0, at), "<none>", rd.substring(at + 1), trunc, now));
                    }
                }
                return rows;
            }
            for (String t : tags) {
                Reference r = Reference.parse(t);
                String digest = "<none>";
                for (String rd : repoDigests) {
                    if (rd.startsWith(r.repository() + "@")) {
                        digest = rd.substring(rd.indexOf('@') + 1);
                    }
                }
                rows.add(row(img, r.repository(), r.tag() == null ? "<none>" : r.tag(), digest, trunc, now));
            }
            return rows;
        }

        private static ObjectNode row(JsonNode img, String repo, String tag, String digest, boolean trunc,
                                      Instant now) {
            ObjectNode r = Json.MAPPER.createObjectNode();
            r.put("Repository", repo);
            r.put("Tag", tag);
            r.put("Digest", digest);
            String id = img.path("Id").asText();
            r.put("ID", trunc ? Units.shortId(id) : id);
            long created = img.path("Created").asLong();
            r.put("CreatedSince", Units.humanDuration(Duration.between(Instant.ofEpochSecond(created), now)) + " ago");
            r.put("CreatedAt", ZonedDateTime.ofInstant(Instant.ofEpochSecond(created),
                    ZoneId.systemDefault()).format(DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm:ss Z z")));
            r.put("Size", Units.humanSize(img.path("Size").asLong()));
            long shared = img.path("SharedSize").asLong(-1);
            r.put("SharedSize", shared < 0 ? "N/A" : Units.humanSize(shared));
            r.put("UniqueSize", shared < 0 ? "N/A" : Units.humanSize(img.path("Size").asLong() - shared));
            long containers = img.path("Containers").asLong(-1);
            r.put("Containers", containers < 0 ? "N/A" : Long.toString(containers));
            return r;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List images")
    public static class ImageLs extends Images {
    }

    @Command(name = "inspect", description = "Display detailed information on one or more images")
    public static class ImageInspect extends InspectCommand {
        @Override
        protected String forcedType() {
            return "image";
        }
    }

    @Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
    public static class Tag extends PouchCommand {
        @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]")
        String target;

        @Override
        public Integer call() {
            Reference t = Reference.parse(target);
            if (t.digest() != null) {
                throw new CliException("refusing to create a tag with a digest reference");
            }
            client().post("/images/" + PouchClient.escape(source) + "/tag",
                    Query.of("repo", t.repository(), "tag", t.tag() == null ? "latest" : t.tag()), null);
            return 0;
        }
    }

    @Command(name = "rmi", description = "Remove one or more images")
    public static class Rmi extends PouchCommand {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Option(names = {"-f", "--force"}, description = "Force removal of the image")
        boolean force;

        @Option(names = "--no-prune", description = "Do not delete untagged parents")
        boolean noPrune;

        @Override
        public Integer call() {
            boolean failed = false;
            for (String image : images) {
                try {
                    JsonNode deleted = client().delete("/images/" + PouchClient.escape(image), Query.of(
                            "force", force ? Boolean.TRUE : null, "noprune", noPrune ? Boolean.TRUE : null)).json();
                    for (JsonNode d : deleted) {
                        if (d.hasNonNull("Untagged")) {
                            out().println("Untagged: " + d.get("Untagged").asText());
                        }
                        if (d.hasNonNull("Deleted")) {
                            out().println("Deleted: " + d.get("Deleted").asText());
                        }
                    }
                    out().flush();
                } catch (RuntimeException e) {
                    report(e);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove one or more images")
    public static class ImageRm extends Rmi {
    }

    @Command(name = "save", description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
    public static class Save extends PouchCommand {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> images;

        @Option(names = {"-o", "--output"}, description = "Write to a file, instead of STDOUT")
        Path output;

        @Override
        public Integer call() throws IOException {
            if (output == null && isTerminal()) {
                throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }
            try (StreamResponse s = client().stream("GET", "/images/get", Query.of("names", images), null)) {
                if (output == null) {
                    OutputStream out = new FileOutputStream(FileDescriptor.out);
                    s.body().transferTo(out);
                    out.flush();
                    return 0;
                }
                // write next to the target and rename, so a failed save never leaves a truncated archive
                Path target = output.toAbsolutePath();
                Path tmp = target.resolveSibling("." + target.getFileName() + ".pouch-save-" + ProcessHandle.current().pid());
                try {
                    try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE)) {
                        s.body().transferTo(out);
                    }
                    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return 0;
        }
    }

    @Command(name = "load", description = "Load an image from a tar archive or STDIN")
    public static class Load extends PouchCommand {
        @Option(names = {"-i", "--input"}, description = "Read from tar archive file, instead of STDIN")
        Path input;

        @Option(names = {"-q", "--quiet"}, description = "Suppress the load output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            if (input == null && System.console() != null && System.console().isTerminal()) {
                throw new CliException("requested load from stdin, but stdin is empty");
            }
            try (InputStream in = input == null ? new FileInputStream(FileDescriptor.in) : Files.newInputStream(input);
                 StreamResponse s = client().postStream("/images/load", Query.of("quiet", quiet ? Boolean.TRUE : null),
                         in, "application/x-tar")) {
                Progress.print(s.body(), out());
            }
            return 0;
        }
    }

    @Command(name = "import", description = "Import the contents from a tarball to create a filesystem image")
    public static class Import extends PouchCommand {
        @Parameters(index = "0", paramLabel = "file|URL|-")
        String source;

        @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
        String reference;

        @Option(names = {"-c", "--change"}, description = "Apply Dockerfile instruction to the created image")
        List<String> changes = new ArrayList<>();

        @Option(names = {"-m", "--message"}, description = "Set commit message for imported image")
        String message;

        @Option(names = "--platform", description = "Set platform if server is multi-platform capable")
        String platform;

        @Override
        public Integer call() throws IOException {
            Map<String, Object> q = Query.of("fromSrc", "-", "repo", reference, "message", message,
                    "changes", changes, "platform", platform);
            if (source.startsWith("http://") || source.startsWith("https://")) {
                q.put("fromSrc", source);
                try (StreamResponse s = client().stream("POST", "/images/create", q, null)) {
                    Progress.print(s.body(), out());
                }
                return 0;
            }
            try (InputStream in = source.equals("-") ? new FileInputStream(FileDescriptor.in)
                    : Files.newInputStream(Path.of(source));
                 StreamResponse s = client().postStream("/images/create", q, in, "application/x-tar")) {
                Progress.print(s.body(), out());
            }
            return 0;
        }
    }

    @Command(name = "history", description = "Show the history of an image")
    public static class History extends PouchCommand {
        static final Map<String, String> HEADERS = Map.of("ID", "IMAGE", "CreatedSince", "CREATED",
                "CreatedAt", "CREATED AT", "CreatedBy", "CREATED BY", "Size", "SIZE", "Comment", "COMMENT");

        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Option(names = {"-H", "--human"}, description = "Print sizes and dates in human readable format",
                defaultValue = "true", arity = "0..1")
        boolean human;

        @Option(names = "--no-trunc", description = "Don't truncate output")
        boolean noTrunc;

        @Option(names = {"-q", "--quiet"}, description = "Only show image IDs")
        boolean quiet;

        @Option(names = "--format", description = "Format output using a Go template")
        String format;

        @Override
        public Integer call() {
            JsonNode history = client().get("/images/" + PouchClient.escape(image) + "/history", null).json();
            Instant now = Instant.now();
            List<ObjectNode> rows = new ArrayList<>();
            for (JsonNode h : history) {
                ObjectNode r = Json.MAPPER.createObjectNode();
                String id = h.path("Id").asText();
                r.put("ID", id.equals("<missing>") || noTrunc ? id : Units.shortId(id));
                long created = h.path("Created").asLong();
                r.put("CreatedSince", created <= 0 ? "N/A" : human
                        ? Units.humanDuration(Duration.between(Instant.ofEpochSecond(created), now)) + " ago"
                        : Instant.ofEpochSecond(created).toString());
                r.put("CreatedAt", Instant.ofEpochSecond(created).toString());
                String by = h.path("CreatedBy").asText().replace("\t", " ");
                r.put("CreatedBy", noTrunc ? by : Units.ellipsis(by, 45));
                long size = h.path("Size").asLong();
                r.put("Size", human ? Units.humanSize(size) : Long.toString(size));
                r.put("Comment", h.path("Comment").asText());
                rows.add(r);
            }
            String f = quiet ? "{{.ID}}" : format != null ? format
                    : "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
            out().print(new ListFormat(f, HEADERS).render(rows));
            out().flush();
            return 0;
        }
    }

    @Command(name = "image", description = "Manage images",
            subcommands = {ImageLs.class, ImageInspect.class, Tag.class, ImageRm.class, Save.class, Load.class,
                    Import.class, History.class, Pull.class})
    public static class ImageGroup extends CommandGroup {
    }
}
