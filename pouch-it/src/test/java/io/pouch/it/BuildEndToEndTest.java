package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /build} through the real docker CLI's classic builder ({@code DOCKER_BUILDKIT=0}): a multi-stage
 * Dockerfile with ARG, COPY --from, .dockerignore and the config instructions; a rebuild with nothing changed
 * takes every step from the cache; failures are reported by step and leave no container behind.
 */
@Tag("e2e")
class BuildEndToEndTest {
    private static final Map<String, String> CLASSIC = Map.of("DOCKER_BUILDKIT", "0");
    private static PouchdHarness d;
    private static final List<String> images = new ArrayList<>();

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    @AfterAll
    static void cleanup() {
        for (String i : images) {
            d.docker("rmi", "-f", i);
        }
    }

    private static String name(String what) {
        String n = "build-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
        images.add(n);
        return n;
    }


    private static int containers() {
        return d.docker("ps", "-aq").ok().trimmed().lines().filter(l -> !l.isBlank()).toList().size();
    }

    @Test
    void multiStageBuildThenEveryStepFromTheCache() throws Exception {
        Path ctx = d.buildContext(Map.of(
                "Dockerfile", """
                        ARG BASE=busybox
                        FROM $BASE AS build
                        ARG GREETING=hello
                        WORKDIR /src
                        COPY app/ ./
                        RUN echo "$GREETING from build" > out.txt && cat msg.txt >> out.txt
                        FROM ${BASE}
                        LABEL org.example.stage="final" \\
                              other=x
                        ENV TARGET=/opt/app PATH_EXTRA=${UNSET:-dflt}
                        COPY --from=build /src/out.txt $TARGET/
                        COPY --chown=1:2 --chmod=600 app/msg.txt /secret.txt
                        EXPOSE 8080/tcp
                        USER 1000
                        CMD ["cat", "/opt/app/out.txt"]
                        """,
                "app/msg.txt", "from the context\n",
                "app/ignored.log", "nope\n",
                ".dockerignore", "**/*.log\n"));
        String tag = name("multi");
        int before = containers();
        Cmd.Result r = d.classicBuild(ctx, "-t", tag, "--build-arg", "GREETING=hi");
        r.ok();
        assertTrue(r.out().contains("Step 1/13 : FROM $BASE AS build"), r.out());
        assertTrue(r.out().contains("Successfully tagged " + tag + ":latest"), r.out());
        assertEquals(before, containers(), "no intermediate container is left");

        assertEquals("hi from build\nfrom the context", d.docker("run", "--rm", tag).ok().trimmed());
        assertEquals("dflt", d.docker("run", "--rm", tag, "sh", "-c", "echo $PATH_EXTRA").ok().trimmed());
        assertEquals("1 2 -rw-------", d.docker("run", "--rm", tag, "sh", "-c",
                "stat -c '%u %g' /secret.txt | tr '\\n' ' '; ls -l /secret.txt | cut -c1-10").ok().trimmed());
        assertEquals("no", d.docker("run", "--rm", "--entrypoint", "sh", tag, "-c",
                "test -e /src/ignored.log && echo yes || echo no").ok().trimmed());
        String inspect = d.docker("image", "inspect", "-f",
                "{{.Config.User}} {{json .Config.ExposedPorts}} {{index .Config.Labels \"org.example.stage\"}}", tag)
                .ok().trimmed();
        assertEquals("1000 {\"8080/tcp\":{}} final", inspect);

        String id = d.docker("image", "inspect", "-f", "{{.Id}}", tag).ok().trimmed();
        Cmd.Result again = d.classicBuild(ctx, "-t", tag, "--build-arg", "GREETING=hi");
        again.ok();
        assertFalse(again.out().contains("Running in"), again.out());
        long hits = again.out().lines().filter(l -> l.contains("Using cache")).count();
        assertEquals(11, hits, again.out()); // every step but the two FROMs

        assertEquals(id, d.docker("image", "inspect", "-f", "{{.Id}}", tag).ok().trimmed());
        Cmd.Result changed = d.classicBuild(ctx, "-t", tag, "--build-arg", "GREETING=bye");
        changed.ok();
        assertTrue(changed.out().contains("Running in"), changed.out());
        assertEquals("bye from build\nfrom the context", d.docker("run", "--rm", tag).ok().trimmed());
    }

    @Test
    void failingRunNamesTheStepAndLeavesNoContainer() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nRUN echo before\nRUN exit 3\n"));
        int before = containers();
        Cmd.Result r = d.classicBuild(ctx, "-t", name("fail"));
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("The command '/bin/sh -c exit 3' returned a non-zero code: 3"), r.err());
        assertEquals(before, containers());
    }

    @Test
    void aBuildWhoseClientGoesAwayStopsItsRunAndLeavesNoContainer() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nRUN echo started-run && sleep 300\nRUN echo never\n"));
        int before = containers();
        Process p = d.dockerProcess(CLASSIC, "build", "-t", name("cancel"), ctx.toString());
        try (BufferedReader out = p.inputReader()) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("started-run"));
            assertNotNull(line, "the RUN step started");
            assertEquals(before + 1, containers(), "the RUN step's container exists while it runs");
        } finally {
            p.destroyForcibly().waitFor(); // the client goes away, as when the docker CLI is killed
        }
        Await.until(Duration.ofSeconds(30), () -> containers() == before,
                "the cancelled build's RUN container is stopped and removed");
        assertEquals("", d.docker("ps", "-aq", "--filter", "status=running").ok().trimmed());
    }

    @Test
    void refusals() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nFOO bar\n"));
        Cmd.Result r = d.classicBuild(ctx);
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Dockerfile parse error line 2: unknown instruction: FOO"), r.err());

        ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nCOPY ../outside /x\n"));
        r = d.classicBuild(ctx);
        assertTrue(r.err().contains("forbidden path outside the build context: ../outside"), r.err());

        ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nADD https://example.com/x /x\n"));
        r = d.classicBuild(ctx);
        assertTrue(r.err().contains("sources from a URL are not supported"), r.err());

        // a context of some size is still being sent when the parameter is refused: the CLI gets the answer
        ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\n", "big.txt", "x".repeat(8 << 20)));
        r = d.classicBuild(ctx, "--platform", "linux/arm64");
        assertTrue(r.err().contains("platform=linux/arm64 is not supported"), r.err());
        r = d.classicBuild(ctx, "--target", "nope");
        assertTrue(r.err().contains("failed to reach build target nope"), r.err());
    }

    @Test
    void scratchStageAndQuietBuild() throws Exception {
        Path ctx = d.buildContext(Map.of(
                "Dockerfile", "FROM busybox AS tools\nRUN mkdir -p /out && cp /bin/busybox /out/sh\n"
                        + "FROM scratch\nCOPY --from=tools /out/sh /bin/sh\nCOPY hello.txt /\n"
                        + "ENTRYPOINT [\"/bin/sh\", \"-c\"]\nCMD [\"cat /hello.txt\"]\n",
                "hello.txt", "hello scratch\n"));
        String tag = name("scratch");
        Cmd.Result r = d.classicBuild(ctx, "-q", "-t", tag);
        r.ok();
        assertTrue(r.out().trim().startsWith("sha256:"), r.out());
        assertEquals("hello scratch", d.docker("run", "--rm", tag).ok().trimmed());
    }

    @Test
    void pouchBuildSendsTheContextWithoutIgnoredFiles() throws Exception {
        Path ctx = d.buildContext(Map.of(
                "build/Dockerfile.dev", "FROM busybox AS base\nARG WHO\nCOPY . /ctx/\n"
                        + "RUN echo \"hello $WHO\" > /greeting && ls -A /ctx | sort | tr '\\n' ' ' > /files\n"
                        + "FROM base\nCMD cat /greeting /files\n",
                "a.txt", "a\n",
                "secret.key", "k\n",
                ".dockerignore", "*.key\n"));
        String tag = name("pouch");
        Cmd.Result r = d.pouch("build", "-t", tag, "-f", ctx.resolve("build/Dockerfile.dev").toString(),
                "--build-arg", "WHO=pouch", "--label", "made.by=pouch", "--target", "base", ctx.toString());
        r.ok();
        assertTrue(r.out().contains("Step 1/5 : FROM busybox AS base"), r.out());
        assertTrue(r.out().contains("Successfully tagged " + tag + ":latest"), r.out());
        assertEquals("hello pouch\n.dockerignore a.txt build", d.docker("run", "--rm", tag, "sh", "-c",
                "cat /greeting /files").ok().trimmed());
        assertEquals("pouch", d.docker("image", "inspect", "-f", "{{index .Config.Labels \"made.by\"}}", tag)
                .ok().trimmed());
        Cmd.Result q = d.pouch("build", "-q", "-t", tag, "-f", ctx.resolve("build/Dockerfile.dev").toString(),
                "--build-arg", "WHO=pouch", "--label", "made.by=pouch", "--target", "base", ctx.toString());
        q.ok();
        assertEquals(d.docker("image", "inspect", "-f", "{{.Id}}", tag).ok().trimmed(), q.out().trim());
    }

    /**
     * A step's layer is its container's overlay upper directory, tarred: a removed file must come out as a whiteout,
     * a directory removed and made again as an opaque one, a hard link as a link. The image then runs, saves (the
     * layer tar holds the OCI markers), loads back (its diff ids are checked) and goes through a registry and back.
     */
    @Test
    void builtLayersRunSaveLoadAndPush() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(LocalRegistry.BINARY),
                "docker-registry is not installed (apt-get install docker-registry)");
        Path ctx = d.buildContext(Map.of(
                "Dockerfile", """
                        FROM busybox
                        RUN mkdir -p /data/sub && echo built > /data/sub/file && ln /data/sub/file /data/hard \\
                            && rm /bin/vi && rm -rf /var && mkdir -p /var/fresh && echo v > /var/fresh/f
                        COPY note.txt /data/
                        CMD ["sh", "-c", "cat /data/sub/file /data/hard /var/fresh/f /data/note.txt; ls /var; \\
                            test -e /bin/vi || echo no-vi"]
                        """,
                "note.txt", "copied\n"));
        String tag = name("layers");
        d.classicBuild(ctx, "-t", tag).ok();
        String expected = "built\nbuilt\nv\ncopied\nfresh\nno-vi";
        assertEquals(expected, d.docker("run", "--rm", tag).ok().trimmed());

        Path saved = Files.createTempDirectory(d.base(), "saved-");
        try (LocalRegistry registry = new LocalRegistry(saved, "build", "")) {
            Path tar = saved.resolve("image.tar");
            d.docker("save", "-o", tar.toString(), tag).ok();
            String runLayer = Cmd.run(List.of("sh", "-ec", "cd " + saved + " && mkdir x && tar -xf image.tar -C x"
                    + " && for l in $(find x -name layer.tar); do tar -tvf $l; done"), Map.of(), null,
                    Duration.ofSeconds(60)).ok().out();
            assertTrue(runLayer.contains("bin/.wh.vi"), runLayer);
            assertTrue(runLayer.contains("var/.wh..wh..opq"), runLayer);
            assertTrue(runLayer.contains("data/hard link to data/sub/file")
                    || runLayer.contains("data/sub/file link to data/hard"), runLayer);
            d.docker("rmi", tag).ok();
            d.docker("load", "-i", tar.toString()).ok();
            assertEquals(expected, d.docker("run", "--rm", tag).ok().trimmed());

            String remote = registry.host() + "/" + tag + ":1";
            d.docker("tag", tag, remote).ok();
            d.docker("push", remote).ok();
            d.docker("rmi", remote).ok();
            d.docker("pull", remote).ok();
            assertEquals(expected, d.docker("run", "--rm", remote).ok().trimmed());
            d.docker("rmi", remote).ok();
        } finally {
            Cmd.run(List.of("rm", "-rf", saved.toString()), Map.of(), null, Duration.ofSeconds(30));
        }
    }

    /** docker-java's build call, as Testcontainers' ImageFromDockerfile makes it. */
    @Test
    void dockerJavaBuildsThroughTestcontainers() {
        String tag = name("tc") + ":1";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Cmd.Result r = Cmd.run(List.of(java, "-cp", System.getProperty("java.class.path"), BuildProbe.class.getName(),
                        tag),
                Map.of("DOCKER_HOST", d.host(), "TESTCONTAINERS_RYUK_DISABLED", "true", "HOME", d.base().toString()),
                null, Duration.ofSeconds(180));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("built " + tag), r.toString());
        assertEquals("from docker-java\nbuilt", d.docker("run", "--rm", tag).ok().trimmed());
        images.add(tag);
    }

    /** Debian's docker-compose (1.29, docker-py's images.build) builds a service's image. */
    @Test
    void dockerComposeBuildsAServiceImage() throws Exception {
        String tag = name("compose");
        Path ctx = d.buildContext(Map.of(
                "Dockerfile", "FROM busybox\nARG WHO\nRUN echo \"hello $WHO\" > /greeting\nCMD [\"cat\", \"/greeting\"]\n",
                "docker-compose.yml", """
                        version: "3"
                        services:
                          app:
                            build:
                              context: .
                              args:
                                WHO: compose
                            image: %s
                        """.formatted(tag)));
        String project = "b" + UUID.randomUUID().toString().substring(0, 8);
        Cmd.Result r = Cmd.run(List.of("docker-compose", "-H", d.host(), "-p", project, "-f",
                ctx.resolve("docker-compose.yml").toString(), "build"),
                // docker-py's images.build, not compose's hand-over to the docker CLI
                Map.of("COMPOSE_DOCKER_CLI_BUILD", "0", "DOCKER_BUILDKIT", "0", "HOME", d.base().toString()), null,
                Duration.ofSeconds(180));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello compose", d.docker("run", "--rm", tag).ok().trimmed());
    }
}
