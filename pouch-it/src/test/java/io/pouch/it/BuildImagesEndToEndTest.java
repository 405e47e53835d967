package io.pouch.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a classic build leaves in the image store, as with dockerd: each step's image is the parent of the next, so
 * {@code docker images} shows the result alone ({@code -a} the intermediate images too), {@code docker image
 * prune} keeps them, {@code docker rmi} of the result takes them along, and one of them cannot be deleted by id
 * while it has a child; {@code docker history} names each step by its image. And the daemon's
 * {@code build-context-limit}: a larger context is a 413.
 */
@Tag("e2e")
class BuildImagesEndToEndTest {
    private static final Pattern STEP_IMAGE = Pattern.compile("^ ---> ([0-9a-f]{12})$", Pattern.MULTILINE);
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

    /** Builds and answers the short ids the steps printed ( ---> id), the FROM's first. */
    private static List<String> build(Path ctx, String tag) {
        images.add(tag);
        Cmd.Result r = d.classicBuild(ctx, "--no-cache", "-t", tag).ok();
        List<String> ids = new ArrayList<>();
        Matcher m = STEP_IMAGE.matcher(r.out());
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static Set<String> listed(String... flags) {
        List<String> a = new ArrayList<>(List.of("images", "-q"));
        a.addAll(List.of(flags));
        return Set.copyOf(d.docker(a.toArray(String[]::new)).ok().trimmed().lines().toList());
    }

    @Test
    void intermediateImagesAreHiddenParentsThatGoWithTheResult() throws Exception {
        Path ctx = d.buildContext(Map.of("Dockerfile", "FROM busybox\nENV A=1\nRUN echo x > /x\nLABEL step=last\n"));
        String tag = "bimg-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> steps = build(ctx, tag);
        assertEquals(4, steps.size(), steps.toString());
        String busybox = d.docker("inspect", "-f", "{{.Id}}", "busybox").ok().trimmed();
        assertTrue(busybox.startsWith("sha256:" + steps.getFirst()), steps + " " + busybox);
        String result = steps.getLast();
        List<String> intermediate = steps.subList(1, steps.size() - 1);

        Set<String> shown = listed();
        assertTrue(shown.contains(result), shown.toString());
        intermediate.forEach(i -> assertFalse(shown.contains(i), i + " is hidden without -a: " + shown));
        Set<String> all = listed("-a");
        intermediate.forEach(i -> assertTrue(all.contains(i), i + " is listed with -a: " + all));
        assertTrue(listed("--filter", "dangling=true").stream().noneMatch(intermediate::contains));
        // each step's image is the parent of the next, the first one's the FROM image
        assertTrue(d.docker("inspect", "-f", "{{.Parent}}", tag).ok().trimmed()
                .startsWith("sha256:" + intermediate.getLast()));
        assertEquals(busybox, d.docker("inspect", "-f", "{{.Parent}}", intermediate.getFirst()).ok().trimmed());

        // docker history names each step by its image, as far as the parents go (busybox's first layer has none)
        List<String> history = d.docker("history", "-q", tag).ok().trimmed().lines().toList();
        assertEquals(List.of(result, intermediate.get(1), intermediate.get(0), steps.getFirst()),
                history.subList(0, 4), history.toString());
        assertTrue(history.subList(4, history.size()).stream().allMatch("<missing>"::equals), history.toString());

        d.docker("image", "prune", "-f").ok();
        intermediate.forEach(i -> assertTrue(listed("-a").contains(i), i + " survives a prune: it is a parent"));
        assertEquals("x", d.docker("run", "--rm", tag, "cat", "/x").ok().trimmed());

        Cmd.Result byId = d.docker("rmi", intermediate.getFirst());
        assertNotEquals(0, byId.exit());
        assertTrue(byId.err().contains("conflict: unable to delete " + intermediate.getFirst()
                + " (cannot be forced) - image has dependent child images"), byId.toString());

        Cmd.Result rmi = d.docker("rmi", tag).ok();
        assertTrue(rmi.out().contains("Untagged: " + tag + ":latest"), rmi.out());
        for (String i : intermediate) {
            assertTrue(rmi.out().contains("Deleted: sha256:" + i), i + " goes with the result: " + rmi.out());
        }
        Set<String> after = listed("-a");
        steps.subList(1, steps.size()).forEach(i -> assertFalse(after.contains(i), i + " is gone"));
        assertTrue(after.contains(steps.getFirst()), "the tagged FROM image stays");
    }

    /** On a daemon of its own: prune -a removes every unused image, the build's parents after their children. */
    @Test
    void pruneAllTakesABuildWithItsIntermediateImages() throws Exception {
        try (PouchdHarness own = PouchdHarness.startPrivate("pbp", base -> { }, List.of())) {
            Path ctx = d.buildContext(Map.of("Dockerfile", "FROM scratch\nCOPY a /\nLABEL step=two\nCOPY b /\n",
                    "a", "a\n", "b", "b\n"));
            Set<String> before = Set.copyOf(own.docker("images", "-a", "-q").ok().trimmed().lines().toList());
            own.classicBuild(ctx, "-t", "pruned:1").ok();
            Set<String> all = Set.copyOf(own.docker("images", "-a", "-q").ok().trimmed().lines().toList());
            List<String> added = all.stream().filter(i -> !before.contains(i)).toList();
            assertTrue(added.size() >= 3, all + " after " + before);
            List<String> shown = own.docker("images", "-q").ok().trimmed().lines().filter(added::contains).toList();
            assertEquals(List.of(own.docker("images", "-q", "pruned:1").ok().trimmed()), shown, all.toString());
            // without -a: nothing dangling to prune, the intermediate images are parents
            own.docker("image", "prune", "-f").ok();
            assertEquals(all, Set.copyOf(own.docker("images", "-a", "-q").ok().trimmed().lines().toList()));
            String out = own.docker("image", "prune", "-a", "-f").ok().out();
            assertTrue(out.contains("untagged: pruned:1"), out);
            assertEquals("", own.docker("images", "-a", "-q").ok().trimmed(), out);
        }
    }

    @Test
    void aContextOverTheDaemonsBuildContextLimitIsRefused() throws Exception {
        try (PouchdHarness small = PouchdHarness.startConfigured("pouch-it-bcl-", "pbl",
                "{\"build-context-limit\": \"64k\"}", Map.of())) {
            Path ctx = d.buildContext(Map.of("Dockerfile", "FROM scratch\nCOPY big /\n"));
            byte[] big = new byte[100 * 1024];
            new Random(7).nextBytes(big);
            Files.write(ctx.resolve("big"), big);
            Cmd.Result r = small.classicBuild(ctx);
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("the build context is larger than this daemon's limit of 65536 bytes (its "
                    + "build-context-limit)"), r.toString());

            Files.delete(ctx.resolve("big"));
            Files.writeString(ctx.resolve("big"), "small\n");
            Cmd.Result fits = small.classicBuild(ctx, "-q").ok();
            assertTrue(fits.out().trim().startsWith("sha256:"), fits.toString());
        }
    }
}
