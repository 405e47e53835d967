package io.pouch.daemon.build;

import java.util.function.Function;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.image.ImageCommitter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One build, step by step as the classic builder runs it: each instruction a step ({@code Step 3/7 : RUN ...}),
 * each step an image (a config-only image for the instructions that change no file), each step first looked up
 * in the {@link BuildCache}. Stages are built in order up to the target; a later stage may start FROM an earlier
 * one or COPY --from it.
 */
final class BuildRun {
    private final PreparedBuild build;
    private final BuildProgress progress;
    private final BaseImages images;
    private final ImageCommitter committer;
    private final ContainerSteps steps;
    private final BuildCache cache;
    private final ContainerSteps.Removal removal;
    /**
     * Holds what the steps store until their images' records hold it; what none came to hold goes with it. Made
     * by the first step that stores something: a build all from the cache needs none.
     */
    private String lease;
    private final char escape;
    private final Map<String, String> metaArgs = new LinkedHashMap<>();
    private final Set<String> consumedArgs = new HashSet<>();
    private final List<Stage> stages = new ArrayList<>();
    private Stage st;
    private boolean cacheBroken;

    BuildRun(PreparedBuild build, BuildProgress progress, BaseImages images, ImageCommitter committer,
             ContainerSteps steps, BuildCache cache) {
        this.build = build;
        this.progress = progress;
        this.images = images;
        this.committer = committer;
        this.steps = steps;
        this.cache = cache;
        BuildRequest r = build.request();
        this.removal = new ContainerSteps.Removal(r.remove() || r.forceRemove(), r.remove() || r.forceRemove());
        this.escape = build.dockerfile().escape();
        this.cacheBroken = r.noCache();
    }

    /** The instructions built: every stage up to the end of the target one. */
    static List<Instruction> planned(Dockerfile df, String target) {
        List<Instruction> all = df.instructions();
        if (target == null || target.isEmpty()) {
            return all;
        }
        for (int i = 0; i < all.size(); i++) {
            Instruction in = all.get(i);
            if (in.keyword().equals("from") && in.args().size() == 3 && in.args().get(2).equalsIgnoreCase(target)) {
                int end = i + 1;
                while (end < all.size() && !all.get(end).keyword().equals("from")) {
                    end++;
                }
                return all.subList(0, end);
            }
        }
        throw PouchException.invalidArgument("failed to reach build target " + target + " in Dockerfile");
    }

    private String lease() {
        if (lease == null) {
            lease = committer.lease("build");
        }
        return lease;
    }

    /** Ends the build: its intermediate containers removed, its lease ended (what no image record holds goes). */
    void release() {
        removal.await();
        if (lease != null) {
            committer.release(lease);
            lease = null;
        }
    }

    /** Runs the build; returns the final image id. */
    String run() throws IOException {
        BuildRequest r = build.request();
        for (Instruction a : build.dockerfile().metaArgs()) {
            for (String w : a.args()) {
                int eq = w.indexOf('=');
                String name = eq < 0 ? w : w.substring(0, eq);
                String dflt = eq < 0 ? null : expand(w.substring(eq + 1), metaArgs::get);
                metaArgs.put(name, r.buildArgs().get(name) != null ? r.buildArgs().get(name) : dflt);
                consumedArgs.add(name);
            }
        }
        List<Instruction> plan = planned(build.dockerfile(), r.target());
        int total = plan.size() + (r.labels().isEmpty() ? 0 : 1);
        int step = 0;
        for (Instruction in : plan) {
            build.cancellation().check();
            step++;
            progress.stream("Step " + step + "/" + total + " : " + in.original() + "\n");
            dispatch(in);
        }
        if (!r.labels().isEmpty()) {
            step++;
            StringBuilder line = new StringBuilder("LABEL");
            List<String> args = new ArrayList<>();
            r.labels().forEach((k, v) -> {
                line.append(' ').append(quote(k)).append('=').append(quote(v));
                args.add(quote(k));
                args.add(quote(v));
            });
            progress.stream("Step " + step + "/" + total + " : " + line + "\n");
            dispatch(new Instruction("label", Map.of(), args, false, line.toString(), 0));
        }
        List<String> unused = r.buildArgs().keySet().stream()
                .filter(a -> !consumedArgs.contains(a) && !Stage.PREDEFINED_ARGS.contains(a)).sorted().toList();
        if (!unused.isEmpty()) {
            progress.stream("[Warning] One or more build-args " + unused + " were not consumed\n");
        }
        if (st.imageId == null) {
            throw new DockerfileException("No image was generated. Is your Dockerfile empty?");
        }
        return st.imageId;
    }

    private void dispatch(Instruction in) throws IOException {
        try {
            switch (in.keyword()) {
                case "from" -> from(in);
                case "run" -> run(in);
                case "copy", "add" -> copy(in);
                default -> configStep(in);
            }
        } catch (DockerfileException e) {
            if (e.getMessage().startsWith("Dockerfile parse error") || in.line() == 0) {
                throw e;
            }
            throw new DockerfileException(e.getMessage());
        }
    }

    private void from(Instruction in) throws IOException {
        String platform = in.flags().get("platform");
        if (platform != null) {
            String p = expand(platform, n -> n.equals("BUILDPLATFORM") || n.equals("TARGETPLATFORM")
                    ? "linux/amd64" : metaArgs.get(n));
            if (!p.equals("linux/amd64") && !p.equals("linux")) {
                throw new DockerfileException("FROM --platform=" + p + " (line " + in.line() + "): pouchd builds "
                        + "for linux/amd64 only");
            }
        }
        String base = expand(in.args().getFirst(), metaArgs::get);
        String name = in.args().size() == 3 ? in.args().get(2).toLowerCase(Locale.ROOT) : null;
        if (in.args().size() == 3 && !in.args().get(1).equalsIgnoreCase("as")) {
            throw new DockerfileException("Dockerfile parse error line " + in.line()
                    + ": FROM requires either one or three arguments (FROM image AS name)");
        }
        Stage parent = stage(base);
        if (base.equalsIgnoreCase("scratch")) {
            ObjectNode img = Json.MAPPER.createObjectNode();
            img.put("architecture", "amd64");
            img.put("os", "linux");
            img.putObject("config");
            img.putObject("rootfs").put("type", "layers").putArray("diff_ids");
            img.putArray("history");
            st = new Stage(name, stages.size(), null, img);
            progress.stream(" ---> \n");
        } else if (parent != null) {
            st = new Stage(name, stages.size(), parent.imageId, parent.image.deepCopy());
            progress.stream(" ---> " + shortId(st.imageId) + "\n");
        } else {
            String id;
            try {
                id = images.id(base);
            } catch (PouchException e) {
                throw new DockerfileException("FROM " + base + " (line " + in.line() + "): " + e.getMessage());
            }
            st = new Stage(name, stages.size(), id, committer.configJson(id));
            progress.stream(" ---> " + shortId(id) + "\n");
        }
        stages.add(st);
        List<String> triggers = new ArrayList<>();
        st.run().path("OnBuild").forEach(n -> triggers.add(n.asText()));
        st.run().remove("OnBuild");
        if (!triggers.isEmpty()) {
            progress.stream("# Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s")
                    + "\n");
            for (String t : triggers) {
                dispatch(DockerfileParser.instruction(t, in.line(), escape));
            }
        }
    }

    /** An earlier stage named {@code ref} (by name or index), or null. */
    private Stage stage(String ref) {
        for (Stage s : stages) {
            if (ref.equalsIgnoreCase(s.name) || ref.equals(Integer.toString(s.index))) {
                return s;
            }
        }
        return null;
    }

    private void configStep(Instruction in) throws IOException {
        String createdBy = ConfigSteps.apply(st, in, escape, build.request().buildArgs());
        if (in.keyword().equals("arg")) {
            for (String w : in.args()) {
                consumedArgs.add(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
            }
        }
        if (st.imageId == null) {
            // a stage FROM scratch without files yet: the config waits for the first layer
            progress.stream(" ---> \n");
            return;
        }
        String key = BuildCache.key(st.imageId, "config", createdBy, Json.MAPPER.writeValueAsString(st.image.get("config")),
                String.valueOf(st.image.get("author")));
        if (cached(key)) {
            return;
        }
        ObjectNode img = st.image.deepCopy();
        String now = Instant.now().toString();
        img.put("created", now);
        ObjectNode h = img.withArray("history").addObject();
        h.put("created", now);
        h.put("created_by", createdBy);
        h.put("empty_layer", true);
        String id = committer.commitInPlace(lease(), st.imageId, null, null, Json.MAPPER.writeValueAsBytes(img));
        adopt(key, id);
    }

    private void run(Instruction in) throws IOException {
        List<String> cmd = ConfigSteps.command(st, in);
        Map<String, String> args = st.runArgs();
        StringBuilder createdBy = new StringBuilder();
        if (!args.isEmpty()) {
            createdBy.append('|').append(args.size());
            args.forEach((k, v) -> createdBy.append(' ').append(k).append('=').append(v));
            createdBy.append(' ');
        }
        createdBy.append(String.join(" ", cmd));
        String key = BuildCache.key(st.imageId, "run", createdBy.toString(),
                Json.MAPPER.writeValueAsString(st.image.get("config")));
        if (cached(key)) {
            return;
        }
        // the proxy args no ARG declares reach the RUN's environment only: neither its history line nor its key
        Map<String, String> env = new LinkedHashMap<>(args);
        env.putAll(st.undeclaredPredefined(build.request().buildArgs()));
        adopt(key, steps.run(lease(), st, cmd, createdBy.toString(), progress, removal, build.request().run(),
                build.cancellation(), env));
    }

    private void copy(Instruction in) throws IOException {
        String kw = in.keyword().toUpperCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        for (String a : in.args()) {
            words.add(in.json() ? a : ConfigSteps.x(st, a, escape));
        }
        String dest = words.getLast();
        List<String> srcs = words.subList(0, words.size() - 1);
        String chown = in.flags().containsKey("chown") ? ConfigSteps.x(st, in.flags().get("chown"), escape) : null;
        Integer chmod = chmod(in.flags().get("chmod"), in.line());
        String from = in.flags().get("from");
        for (String s : srcs) {
            if (s.matches("(?i)^(https?|git|ssh)://.*") || s.startsWith("git@")) {
                throw new DockerfileException(kw + " " + s + " (line " + in.line() + "): sources from a URL are not "
                        + "supported: pouchd builds without internet access; put the file in the build context");
            }
        }
        if (from != null && in.keyword().equals("add")) {
            throw new DockerfileException("ADD does not take --from (line " + in.line() + "): use COPY --from");
        }
        String absDest = dest.startsWith("/") ? dest : (st.workdir().endsWith("/") ? st.workdir() : st.workdir() + "/") + dest;
        ContainerSteps.MountedImage mounted = null;
        String config = Json.MAPPER.writeValueAsString(st.image.get("config"));
        try {
            Path root;
            String fromId = "";
            List<ContextIndex.Match> picked = null;
            String hash = null;
            String key = null;
            if (from != null) {
                Stage s = stage(from);
                fromId = s != null ? s.imageId : resolveImage(from, in);
                if (fromId == null) {
                    throw new DockerfileException(kw + " --from=" + from + " (line " + in.line() + "): that stage has no files");
                }
                // an image id names its content (its config lists its layers' digests): the step's key needs no
                // look at the files, only a miss mounts the image
                key = BuildCache.key(st.imageId, "copy-from", kw, String.valueOf(chown), String.valueOf(chmod), from,
                        fromId, String.join("\0", srcs), dest, absDest, config);
                if (cached(key)) {
                    return;
                }
                mounted = steps.mount(fromId);
                root = mounted.root();
            } else {
                // the context's index knows what a COPY takes: a hit never extracts the context, a miss copies
                // from the spooled context
                picked = in.keyword().equals("copy") ? build.context().select(srcs, kw) : null;
                if (picked != null) {
                    hash = build.context().digest(picked, chmod);
                    key = BuildCache.key(st.imageId, "copy", createdBy(kw, chown, chmod, null, hash, dest), "",
                            absDest, config);
                    if (cached(key)) {
                        return;
                    }
                }
                if (st.imageId == null) {
                    picked = null; // the first files of a stage FROM scratch are tarred from disk
                }
                root = picked != null ? null : build.context().dir();
            }
            List<ContainerSteps.Source> sources = new ArrayList<>();
            for (ContextIndex.Match m : picked != null ? picked : List.<ContextIndex.Match>of()) {
                BuildContext ctx = build.context();
                sources.add(new ContainerSteps.Source(null, m.base(), m.dir(), false,
                        (as, mode, out) -> ctx.writeTar(m, as, mode, out)));
            }
            for (String s : picked != null ? List.<String>of() : srcs) {
                List<Path> paths = from != null ? ImageSources.resolve(root, s, kw) : build.context().sources(s, kw);
                for (Path p : paths) {
                    boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    boolean extract = in.keyword().equals("add") && !dir && isArchive(p);
                    sources.add(new ContainerSteps.Source(p, p.getFileName() == null ? "" : p.getFileName().toString(),
                            dir, extract));
                }
            }
            boolean destIsDir = dest.endsWith("/") || dest.equals(".");
            if (sources.size() > 1 && !destIsDir) {
                throw new DockerfileException("When using " + kw + " with more than one source file, the destination "
                        + "must be a directory and end with a / (line " + in.line() + ")");
            }
            if (hash == null) {
                MessageDigest md = SourceTar.sha256();
                for (ContainerSteps.Source s : sources) {
                    md.update((s.name() + "\0" + s.isDir() + "\0" + s.extract() + "\0").getBytes());
                    SourceTar.digest(s.path(), s.name(), chmod, md);
                }
                hash = (sources.size() == 1 && !sources.getFirst().isDir() ? "file:" : "multi:") + SourceTar.hex(md);
            }
            String createdBy = createdBy(kw, chown, chmod, from, hash, dest);
            if (key == null) {
                key = BuildCache.key(st.imageId, "copy", createdBy, fromId, absDest, config);
                if (cached(key)) {
                    return;
                }
            }
            adopt(key, steps.copy(lease(), st, sources, absDest, destIsDir || sources.size() > 1, chown, chmod, createdBy,
                    progress, removal));
        } finally {
            if (mounted != null) {
                mounted.close();
            }
        }
    }

    private static String createdBy(String kw, String chown, Integer chmod, String from, String hash, String dest) {
        return "/bin/sh -c #(nop) " + kw + (chown != null ? " --chown=" + chown : "")
                + (chmod != null ? " --chmod=" + Integer.toOctalString(chmod) : "")
                + (from != null ? " --from=" + from : "") + " " + hash + " in " + dest + " ";
    }

    private String resolveImage(String ref, Instruction in) throws IOException {
        try {
            return images.id(ref);
        } catch (PouchException e) {
            throw new DockerfileException("COPY --from=" + ref + " (line " + in.line() + "): no stage of that name, "
                    + "and " + e.getMessage());
        }
    }

    private static Integer chmod(String v, int line) {
        if (v == null) {
            return null;
        }
        try {
            int m = Integer.parseInt(v, 8);
            if (m < 0 || m > 07777) {
                throw new NumberFormatException();
            }
            return m;
        } catch (NumberFormatException e) {
            throw new DockerfileException("invalid --chmod=" + v + " (line " + line + "): an octal mode is expected");
        }
    }

    /** Whether the file starts like a tar (plain, gzip, bzip2 or xz): ADD unpacks those. */
    private static boolean isArchive(Path p) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(p)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return true;
        }
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return true;
        }
        if (head.length >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X') {
            return true;
        }
        return head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    /** A cache hit makes the step's image the stage's; false on a miss (or when the cache is off or broken). */
    private boolean cached(String key) {
        if (cacheBroken) {
            return false;
        }
        String id = cache.get(key);
        if (id != null) {
            try {
                ObjectNode cfg = committer.configJson(id);
                st.imageId = id;
                st.image = cfg;
                progress.stream(" ---> Using cache\n ---> " + shortId(id) + "\n");
                return true;
            } catch (PouchException gone) {
                // the image was deleted since: a miss
            }
        }
        // as Docker: once a step misses, the steps after it are built, not looked up
        cacheBroken = true;
        return false;
    }

    private void adopt(String key, String id) {
        ObjectNode img = committer.configJson(id);
        JsonNode history = img.path("history");
        String step = history.isArray() && !history.isEmpty() ? history.get(history.size() - 1).path("created_by").asText("") : "";
        cache.put(key, id, st.imageId, step);
        st.imageId = id;
        st.image = img;
        progress.stream(" ---> " + shortId(id) + "\n");
    }

    private String expand(String word, Function<String, String> vars) {
        try {
            return ShellWords.expand(word, vars, escape);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(e.getMessage());
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }


    static String shortId(String id) {
        if (id == null) {
            return "";
        }
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }
}
