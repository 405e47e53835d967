package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.api.build.BuildCacheRecord;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.container.commit.ContainerCommitter;
import io.pouch.daemon.container.files.CopyContainers;
import io.pouch.daemon.image.ImageCommitter;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.image.PullService;
import io.pouch.daemon.image.Reference;
import io.pouch.daemon.sys.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code docker build} with Docker's classic builder semantics: the context extracted, the Dockerfile parsed, the
 * stages built step by step ({@link BuildRun}) over containers and commits, the result named with each {@code t}.
 */
public final class ImageBuilder implements BuildService {
    private static final Logger LOG = Logger.getLogger(ImageBuilder.class.getName());

    private final ImageLookup lookup;
    private final PullService puller;
    private final ImageService images;
    private final ImageCommitter committer;
    private final ContainerSteps steps;
    private final BuildCache cache;
    private final Path tmp;
    private final long contextLimit;

    /**
     * @param dir          the builder's directory (its cache file; {@code tmp} under it is emptied here)
     * @param contextLimit the largest context body accepted, in bytes
     */
    public ImageBuilder(ImageLookup lookup, PullService puller, ImageService images, ImageCommitter committer, ContainerService containers,
                        CopyContainers copyContainers, ContainerCommitter containerCommitter, Path dir,
                        Path mountScratch, long contextLimit) {
        this.lookup = lookup;
        this.puller = puller;
        this.images = images;
        this.committer = committer;
        this.tmp = dir.resolve("tmp");
        try {
            FileTrees.delete(tmp); // a dead pouchd's contexts
        } catch (IOException e) {
            LOG.warning("cannot empty " + tmp + ": " + e.getMessage());
        }
        this.steps = new ContainerSteps(containers, copyContainers, containerCommitter, images, committer, mountScratch);
        this.cache = new BuildCache(dir.resolve("cache.json"));
        this.contextLimit = contextLimit;
    }

    @Override
    public PreparedBuild prepare(BuildRequest request, InputStream context) throws IOException {
        for (String t : request.tags()) {
            tagOf(t);
        }
        BuildContext ctx = BuildContext.extract(context, tmp, contextLimit, request.dockerfile());
        try {
            Dockerfile df = DockerfileParser.parse(ctx.dockerfile());
            BuildRun.planned(df, request.target());
            return new PreparedBuild(request, ctx, df);
        } catch (DockerfileException e) {
            ctx.close();
            throw PouchException.invalidArgument(e.getMessage());
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    @Override
    public void build(PreparedBuild build, BuildProgress progress) {
        BuildRequest req = build.request();
        BaseImages bases = new BaseImages(lookup, puller, req.pull(), req.registryAuth(), progress);
        BuildRun run = new BuildRun(build, progress, bases, committer, steps, cache);
        try (build) {
            String id = run.run();
            List<String> tagged = new ArrayList<>();
            for (String t : build.request().tags()) {
                Reference r = tagOf(t);
                images.tag(id, r.familiarName(), r.tag() == null ? Reference.DEFAULT_TAG : r.tag());
                tagged.add(r.familiarName() + ":" + (r.tag() == null ? Reference.DEFAULT_TAG : r.tag()));
            }
            progress.imageId(id);
            progress.stream("Successfully built " + BuildRun.shortId(id) + "\n");
            for (String t : tagged) {
                progress.stream("Successfully tagged " + t + "\n");
            }
        } catch (DockerfileException | PouchException e) {
            progress.error(e.getMessage());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "build failed", e);
            progress.error("the build failed: " + e);
        } finally {
            run.release();
            cache.flush();
        }
    }

    /**
     * The cache's entries as {@code /system/df} lists them. They are never in use nor shared: the classic builder
     * holds no cache entry during a build beyond the image it made.
     */
    public List<BuildCacheRecord> cacheRecords() {
        List<BuildCacheRecord> out = new ArrayList<>();
        cache.entries().forEach((key, e) -> out.add(new BuildCacheRecord(key, e.parentId(), "regular", e.description(),
                false, false, committer.lastLayerSize(e.imageId()), e.createdAt(), e.lastUsedAt(), e.usageCount())));
        return out;
    }

    /**
     * Forgets every entry and deletes the images they made that nothing else holds; the space reclaimed is the sum
     * of the layers those images added. Children go before their parents (an image that is the parent of another
     * cannot be deleted), so the deletions repeat while one of them succeeds; parents outside the cache stay.
     */
    @Override
    public Map<String, Object> prune() {
        Map<String, BuildCache.Entry> forgotten = cache.clear();
        List<String> pending = new ArrayList<>(forgotten.values().stream().map(BuildCache.Entry::imageId).distinct().toList());
        long reclaimed = 0;
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                String id = it.next();
                long size = committer.lastLayerSize(id);
                try {
                    images.delete(id, false, false);
                    reclaimed += size;
                    it.remove();
                    progress = true;
                } catch (PouchException e) {
                    // named, used by a container, or the parent of another image: it stays (for now)
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CachesDeleted", List.copyOf(forgotten.keySet()));
        out.put("SpaceReclaimed", reclaimed);
        return out;
    }

    private static Reference tagOf(String t) {
        if (t.contains("@")) {
            throw PouchException.invalidArgument("invalid tag " + t + ": a build names images by tag, not by digest");
        }
        try {
            return Reference.parseNormalized(t);
        } catch (PouchException | IllegalArgumentException e) {
            throw PouchException.invalidArgument("invalid tag " + t + ": " + e.getMessage());
        }
    }
}
