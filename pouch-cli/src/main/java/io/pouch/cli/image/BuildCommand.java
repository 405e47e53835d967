package io.pouch.cli.image;

import io.pouch.api.Json;
import io.pouch.api.build.DockerIgnore;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.Query;
import io.pouch.cli.container.LocalTar;
import io.pouch.client.StreamResponse;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code pouch build}: the context directory tarred here (what {@code .dockerignore} leaves out is not sent; the
 * Dockerfile and {@code .dockerignore} always are, as the docker CLI does), sent to {@code POST /build}, the
 * builder's output printed as docker prints it.
 */
@Command(name = "build", description = "Build an image from a Dockerfile")
public final class BuildCommand extends PouchCommand {
    @Parameters(index = "0", paramLabel = "PATH", description = "the build context directory")
    Path context;

    @Option(names = {"-t", "--tag"}, description = "Name and optionally a tag in the 'name:tag' format")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-f", "--file"}, description = "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
    Path file;

    @Option(names = "--build-arg", description = "Set build-time variables")
    List<String> buildArgs = new ArrayList<>();

    @Option(names = "--label", description = "Set metadata for an image")
    List<String> labels = new ArrayList<>();

    @Option(names = "--target", description = "Set the target build stage to build")
    String target;

    @Option(names = "--no-cache", description = "Do not use cache when building the image")
    boolean noCache;

    @Option(names = "--pull", description = "Always attempt to pull a newer version of the image")
    boolean pull;

    @Option(names = {"-q", "--quiet"}, description = "Suppress the build output and print image ID on success")
    boolean quiet;

    @Option(names = "--rm", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Remove intermediate containers after a successful build (default true)")
    boolean rm;

    @Option(names = "--force-rm", description = "Always remove intermediate containers")
    boolean forceRm;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(context)) {
            throw new CliException("unable to prepare context: path \"" + context + "\" not found");
        }
        Path df = file == null ? context.resolve("Dockerfile") : file;
        if (!Files.isRegularFile(df)) {
            throw new CliException("Cannot locate specified Dockerfile: " + df);
        }
        String dfName;
        Path abs = df.toAbsolutePath().normalize();
        Path ctx = context.toAbsolutePath().normalize();
        boolean inside = abs.startsWith(ctx);
        dfName = inside ? ctx.relativize(abs).toString() : ".dockerfile." + UUID.randomUUID().toString().substring(0, 12);
        Path tar = Files.createTempFile("pouch-build-", ".tar");
        try {
            writeContext(ctx, abs, dfName, inside, tar);
            Map<String, Object> q = Query.of("t", tags, "dockerfile", dfName, "buildargs", buildArgs(),
                    "labels", labels(), "target", target, "nocache", noCache ? "1" : null, "q", quiet ? "1" : null,
                    "rm", rm ? "1" : "0", "forcerm", forceRm ? "1" : null, "pull", pull ? "1" : null);
            try (InputStream in = Files.newInputStream(tar);
                 StreamResponse s = client().postStream("/build", q, in, "application/x-tar")) {
                Progress.print(s.body(), out());
            }
        } finally {
            Files.deleteIfExists(tar);
        }
        return 0;
    }

    private String buildArgs() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : buildArgs) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                String env = System.getenv(a);
                if (env != null) {
                    m.put(a, env);
                }
            } else {
                m.put(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        return m.isEmpty() ? null : Json.MAPPER.writeValueAsString(m);
    }

    private String labels() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : labels) {
            int eq = l.indexOf('=');
            m.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        return m.isEmpty() ? null : Json.MAPPER.writeValueAsString(m);
    }

    private static void writeContext(Path ctx, Path dockerfile, String dfName, boolean inside, Path tarFile)
            throws IOException {
        Path ignoreFile = ctx.resolve(".dockerignore");
        DockerIgnore ignore = Files.isRegularFile(ignoreFile)
                ? DockerIgnore.parse(Files.readString(ignoreFile, StandardCharsets.UTF_8)) : DockerIgnore.NONE;
        try (OutputStream out = Files.newOutputStream(tarFile);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> all;
            try (Stream<Path> walk = Files.walk(ctx)) {
                all = walk.filter(p -> !p.equals(ctx)).sorted().toList();
            }
            for (Path p : all) {
                String rel = ctx.relativize(p).toString();
                boolean always = rel.equals(".dockerignore") || (inside && p.equals(dockerfile));
                if (!always && ignore.excludes(rel)) {
                    continue;
                }
                add(tar, p, rel);
            }
            if (!inside) {
                add(tar, dockerfile, dfName);
            }
        }
    }

    private static void add(TarArchiveOutputStream tar, Path p, String name) throws IOException {
        LocalTar.entry(tar, p, name, false);
    }
}
