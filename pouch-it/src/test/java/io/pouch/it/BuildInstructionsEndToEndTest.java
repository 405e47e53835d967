package io.pouch.it;

import io.pouch.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Dockerfile instructions beyond the basics, built by the real docker CLI's classic builder
 * ({@code DOCKER_BUILDKIT=0}) and checked on the built image's config and by running it: VOLUME, STOPSIGNAL,
 * HEALTHCHECK (its options and NONE), SHELL, ONBUILD (recorded, then run by a build FROM the image), COPY --from
 * with wildcards, ADD of a local tar keeping its owners, modes and times.
 */
@Tag("e2e")
class BuildInstructionsEndToEndTest {
    private static PouchdHarness d;
    private static final List<String> images = new ArrayList<>();
    private static final List<String> containers = new ArrayList<>();

    @BeforeAll
    static void daemon() {
        d = PouchdHarness.shared();
    }

    @AfterAll
    static void cleanup() {
        for (String c : containers) {
            d.docker("rm", "-f", c);
        }
        for (String i : images.reversed()) {
            d.docker("rmi", "-f", i);
        }
    }

    private static String name(String what) {
        String n = "binst-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
        images.add(n);
        return n;
    }


    private static String inspect(String format, String ref) {
        return d.docker("inspect", "-f", format, ref).ok().trimmed();
    }

    @Test
    void volumeStopsignalHealthcheckAndShellAsTheClassicBuilderApplies() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", """
                FROM busybox
                RUN mkdir /data && echo before > /data/a
                VOLUME /data
                RUN echo after > /data/b
                STOPSIGNAL SIGUSR1
                HEALTHCHECK --interval=1s --timeout=2s --start-period=3s --retries=7 CMD test -e /data/a
                SHELL ["/bin/sh", "-xc"]
                RUN echo shell-used > /shell.txt
                CMD echo cmd-ran
                """));
        String tag = name("config");
        Cmd.Result r = d.classicBuild(ctx, "-t", tag);
        r.ok();
        // the RUN after SHELL ran through sh -x, which traces the command
        assertTrue((r.out() + r.err()).contains("+ echo shell-used"), r.toString());
        assertEquals("{\"/data\":{}}", inspect("{{json .Config.Volumes}}", tag));
        assertEquals("SIGUSR1", inspect("{{.Config.StopSignal}}", tag));
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"test -e /data/a\"],\"Interval\":1000000000,\"Timeout\":2000000000,"
                + "\"StartPeriod\":3000000000,\"Retries\":7}", inspect("{{json .Config.Healthcheck}}", tag));
        assertEquals("[\"/bin/sh\",\"-xc\"]", inspect("{{json .Config.Shell}}", tag));
        assertEquals("[\"/bin/sh\",\"-xc\",\"echo cmd-ran\"]", inspect("{{json .Config.Cmd}}", tag));

        assertEquals("cmd-ran", d.docker("run", "--rm", tag).ok().trimmed());
        // as with dockerd: what a RUN wrote into the declared volume after VOLUME was not kept
        assertEquals("a", d.docker("run", "--rm", tag, "ls", "/data").ok().trimmed());
        assertEquals("shell-used", d.docker("run", "--rm", tag, "cat", "/shell.txt").ok().trimmed());

        String c = "binst-hc-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(c);
        d.docker("run", "-d", "--name", c, tag, "sleep", "1000").ok();
        assertEquals("SIGUSR1", inspect("{{.Config.StopSignal}}", c));
        assertEquals("/data", inspect("{{range .Mounts}}{{.Destination}}{{end}}", c));
        Await.until(Duration.ofSeconds(30), () -> inspect("{{if .State.Health}}{{.State.Health.Status}}{{end}}", c)
                .equals("healthy"), c + " turns healthy by the image's HEALTHCHECK");

        Path none = d.buildContext(Map.of("Dockerfile", "FROM " + tag + "\nHEALTHCHECK NONE\n"));
        String noneTag = name("nohc");
        d.classicBuild(none, "-t", noneTag).ok();
        assertEquals("{\"Test\":[\"NONE\"]}", inspect("{{json .Config.Healthcheck}}", noneTag));
        String c2 = "binst-nohc-" + UUID.randomUUID().toString().substring(0, 8);
        containers.add(c2);
        d.docker("run", "-d", "--name", c2, noneTag, "sleep", "1000").ok();
        assertEquals("none", inspect("{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", c2));

        for (String bad : List.of("STOPSIGNAL SIGNOPE|Invalid signal: SIGNOPE",
                "HEALTHCHECK --retries=0 CMD true|--retries must be at least 1 (not 0)",
                "HEALTHCHECK --interval=10us CMD true|Interval \"interval\" cannot be less than 1ms",
                "HEALTHCHECK --interval=1s NONE|HEALTHCHECK NONE takes no arguments",
                "HEALTHCHECK --bogus=1 CMD true|unknown flag: --bogus",
                "SHELL /bin/bash -c|SHELL requires the arguments to be in JSON form")) {
            String[] lineAndError = bad.split("\\|");
            Cmd.Result refused = d.classicBuild(d.buildContext(Map.of("Dockerfile", "FROM busybox\n" + lineAndError[0] + "\n")));
            assertNotEquals(0, refused.exit(), bad);
            assertTrue(refused.err().contains(lineAndError[1]), bad + ": " + refused);
        }
    }

    @Test
    void onbuildTriggersAreRecordedThenRunByTheBuildFromTheImage() throws Exception {
        Path baseCtx = d.buildContext(Map.of("Dockerfile", """
                FROM busybox
                ONBUILD COPY trigger.txt /from-trigger.txt
                ONBUILD RUN echo "ran by trigger" > /trigger-ran
                CMD ["cat", "/from-trigger.txt", "/trigger-ran"]
                """));
        String base = name("onbuild-base");
        d.classicBuild(baseCtx, "-t", base).ok();
        assertEquals("[\"COPY trigger.txt /from-trigger.txt\",\"RUN echo \\\"ran by trigger\\\" > /trigger-ran\"]",
                inspect("{{json .Config.OnBuild}}", base));
        assertEquals(0, d.docker("run", "--rm", "--entrypoint", "test", base, "!", "-e", "/trigger-ran").exit(),
                "the triggers do not run in the image that declares them");

        Path childCtx = d.buildContext(Map.of("Dockerfile", "FROM " + base + "\nLABEL child=yes\n",
                "trigger.txt", "hello trigger\n"));
        String child = name("onbuild-child");
        Cmd.Result r = d.classicBuild(childCtx, "-t", child);
        r.ok();
        assertTrue(r.out().contains("# Executing 2 build triggers"), r.out());
        assertEquals("hello trigger\nran by trigger", d.docker("run", "--rm", child).ok().trimmed());
        assertTrue(List.of("null", "[]").contains(inspect("{{json .Config.OnBuild}}", child)),
                "the triggers are consumed, not inherited");

        for (String bad : List.of("ONBUILD ONBUILD RUN true|Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                "ONBUILD FROM busybox|FROM isn't allowed as an ONBUILD trigger",
                "ONBUILD MAINTAINER me|MAINTAINER isn't allowed as an ONBUILD trigger")) {
            String[] lineAndError = bad.split("\\|");
            Cmd.Result refused = d.classicBuild(d.buildContext(Map.of("Dockerfile", "FROM busybox\n" + lineAndError[0] + "\n")));
            assertNotEquals(0, refused.exit(), bad);
            assertTrue(refused.err().contains("line 2: " + lineAndError[1]), bad + ": " + refused);
        }
    }

    @Test
    void copyFromAStageWithWildcardsStaysInsideItsRoot() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", """
                FROM busybox AS src
                RUN mkdir -p /out/sub && echo a > /out/a.txt && echo b > /out/b.txt && echo c > /out/c.log \\
                    && echo s > /out/sub/s.txt && ln -s ../../../../../etc /out/up
                FROM busybox
                COPY --from=src /out/*.txt /dst/
                COPY --from=src /out/s* /subs/
                COPY --from=src /../../out/?.txt /q/
                COPY --from=src /out/up/passwd /escaped-passwd
                """));
        String tag = name("wild");
        d.classicBuild(ctx, "-t", tag).ok();
        assertEquals("/dst/a.txt:a /dst/b.txt:b", d.docker("run", "--rm", tag, "sh", "-c",
                "for f in /dst/*; do printf '%s:%s ' $f $(cat $f); done").ok().trimmed());
        assertEquals("/subs/s.txt", d.docker("run", "--rm", tag, "find", "/subs", "-type", "f").ok().trimmed());
        assertEquals("a.txt b.txt", d.docker("run", "--rm", tag, "ls", "/q").ok().trimmed().replace('\n', ' '));
        // the link's ../../.. stops at the stage's root: its /etc/passwd, not the host's
        assertEquals(d.docker("run", "--rm", "busybox", "cat", "/etc/passwd").ok().out(),
                d.docker("run", "--rm", tag, "cat", "/escaped-passwd").ok().out());

        for (String bad : List.of("COPY --from=src /out/*.txt /single|When using COPY with more than one source "
                        + "file, the destination must be a directory and end with a /",
                "COPY --from=src /out/*.none /x/|no source files were specified")) {
            String[] lineAndError = bad.split("\\|");
            Cmd.Result refused = d.classicBuild(d.buildContext(Map.of("Dockerfile", "FROM busybox AS src\nRUN mkdir /out && touch "
                    + "/out/1.txt /out/2.txt\nFROM busybox\n" + lineAndError[0] + "\n")));
            assertNotEquals(0, refused.exit(), bad);
            assertTrue(refused.err().contains(lineAndError[1]), bad + ": " + refused);
        }
    }

    @Test
    void addOfALocalTarKeepsItsOwnersModesAndTimesAndChownIsNotAppliedToIt() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", """
                FROM busybox
                ADD app.tar /opt/
                ADD --chown=7:8 app.tar /chowned/
                COPY --chown=7:8 plain.txt /plain.txt
                ADD plain.txt /added.txt
                """, "plain.txt", "plain\n"));
        Path tree = Files.createTempDirectory(d.base(), "tree-");
        Files.createDirectories(tree.resolve("app/bin"));
        Files.writeString(tree.resolve("app/data.txt"), "data\n");
        Files.writeString(tree.resolve("app/bin/tool"), "#!/bin/sh\necho tool\n");
        Files.setPosixFilePermissions(tree.resolve("app/data.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(tree.resolve("app"), PosixFilePermissions.fromString("rwxr-x---"));
        Cmd.run(List.of("chmod", "4755", tree.resolve("app/bin/tool").toString()), Map.of(), null,
                Duration.ofSeconds(10)).ok();
        Cmd.run(List.of("tar", "--numeric-owner", "--owner=1234", "--group=5678", "--mtime=@1000000000", "-cf",
                ctx.resolve("app.tar").toString(), "-C", tree.toString(), "app"), Map.of(), null,
                Duration.ofSeconds(30)).ok();
        String tag = name("addtar");
        d.classicBuild(ctx, "-t", tag).ok();
        String stat = "stat -c '%n %u:%g %a %Y' ";
        assertEquals("""
                /opt/app 1234:5678 750 1000000000
                /opt/app/data.txt 1234:5678 640 1000000000
                /opt/app/bin/tool 1234:5678 4755 1000000000
                /chowned/app/data.txt 1234:5678 640 1000000000""", d.docker("run", "--rm", tag, "sh", "-c",
                stat + "/opt/app /opt/app/data.txt /opt/app/bin/tool /chowned/app/data.txt").ok().trimmed());
        assertEquals("tool", d.docker("run", "--rm", tag, "/opt/app/bin/tool").ok().trimmed());
        assertEquals("7:8 0:0", d.docker("run", "--rm", tag, "sh", "-c",
                "stat -c %u:%g /plain.txt /added.txt | tr '\\n' ' '").ok().trimmed());
    }
}
