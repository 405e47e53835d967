package io.pouch.daemon.build;

import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.HashSet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.ContainerService;
import io.pouch.daemon.container.commit.ContainerCommitter;
import io.pouch.daemon.container.files.Archive;
import io.pouch.daemon.container.files.ContainerRoot;
import io.pouch.daemon.container.files.CopyContainers;
import io.pouch.daemon.container.files.CopyOwner;
import io.pouch.daemon.container.io.ContainerIO;
import io.pouch.daemon.image.ImageCommitter;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.network.NetworkRequest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import io.pouch.daemon.sys.ScopedPath;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.function.Function;

/**
 * The steps that change files (RUN, COPY, ADD): each in a container created from the stage's image like any
 * {@code docker run} container (same create path, same OCI spec rules); its rootfs snapshot, once stopped, becomes
 * the layer's snapshot and its overlay upper directory the layer ({@link ContainerCommitter#commitStopped}), so
 * nothing is diffed, compressed or unpacked again. The container is removed afterwards (also after a failure,
 * unless the client asked to keep it with {@code rm=0}), its anonymous volumes with it.
 */
final class ContainerSteps {
    private static final Logger LOG = Logger.getLogger(ContainerSteps.class.getName());
    private final ContainerService containers;
    private final CopyContainers copyContainers;
    private final ContainerCommitter committer;
    private final ImageService images;
    private final ImageCommitter imageCommitter;
    private final Path scratch;

    ContainerSteps(ContainerService containers, CopyContainers copyContainers, ContainerCommitter committer,
                   ImageService images, ImageCommitter imageCommitter, Path scratch) {
        this.containers = containers;
        this.images = images;
        this.imageCommitter = imageCommitter;
        this.copyContainers = copyContainers;
        this.committer = committer;
        this.scratch = scratch;
    }

    /**
     * A copy source: a path on the host (context or a mounted image; null for a context path read from the spooled
     * context), its name at the destination, and what writes its tar.
     */
    record Source(Path path, String name, boolean isDir, boolean extract, TarWriter tar) {
        Source(Path path, String name, boolean isDir, boolean extract) {
            this(path, name, isDir, extract, (as, chmod, out) -> SourceTar.write(path, as, chmod, out));
        }
    }

    /** Writes the tar a source is copied from: its entries named as {@link SourceTar#write} names them. */
    @FunctionalInterface
    interface TarWriter {
        void write(String as, Integer chmod, OutputStream out) throws IOException;
    }

    /** How intermediate containers are removed: {@code rm} after success, {@code forcerm} (or rm) after failure. */
    record Removal(boolean onSuccess, boolean onFailure, List<Thread> pending) {
        Removal(boolean onSuccess, boolean onFailure) {
            this(onSuccess, onFailure, new CopyOnWriteArrayList<>());
        }

        /** Waits for the removals still under way: when a build answers, its containers are gone. */
        void await() {
            for (Thread t : pending) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            pending.clear();
        }
    }

    /**
     * Runs {@code cmd} in the stage's image; its output goes to the progress. Returns the new image id; what it
     * stores is held by the build's {@code lease} ({@link ImageCommitter#lease}) until the image's record holds it.
     * The container has the build's run {@code settings} as {@code docker run} would apply them, and the stage's
     * environment plus {@code args} (the build args it sees).
     */
    String run(String lease, Stage st, List<String> cmd, String createdBy, BuildProgress progress, Removal removal,
               BuildRequest.RunSettings settings, BuildCancellation cancellation, Map<String, String> args)
            throws IOException {
        List<String> env = new ArrayList<>(st.env());
        args.forEach((k, v) -> env.add(k + "=" + v));
        String cid = create(st, cmd, env, hostConfig(settings.hostConfigJson()));
        progress.stream(" ---> Running in " + cid.substring(0, 12) + "\n");
        boolean ok = false;
        try {
            ContainerIO io = containers.ioForAttach(cid);
            int code;
            try (ContainerIO.Subscription ignored = io.attach(new ContainerIO.Subscriber() {
                @Override
                public void onOutput(int stream, byte[] data, int offset, int length) {
                    progress.output(data, offset, length);
                }

                @Override
                public void onClose() {
                }
            })) {
                var exit = containers.waitFor(cid, "next-exit");
                cancellation.check();
                containers.start(cid);
                cancellation.running(() -> killQuietly(cid));
                try {
                    code = exit.get();
                } finally {
                    cancellation.idle();
                }
                cancellation.check();
                containers.exitRecorded(cid, io).get(30, TimeUnit.SECONDS);
                io.awaitDrained(10_000);
            }
            if (code != 0) {
                throw new DockerfileException("The command '" + String.join(" ", cmd)
                        + "' returned a non-zero code: " + code);
            }
            String id = commit(lease, st, cid, createdBy, removal);
            ok = true;
            return id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PouchException.internal("the build was interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw PouchException.internal("waiting for the RUN container " + cid + " failed: " + e.getMessage(), e);
        } finally {
            finish(cid, ok, removal, progress);
        }
    }

    private void killQuietly(String cid) {
        try {
            containers.kill(cid, "SIGKILL");
        } catch (RuntimeException e) {
            LOG.fine("cancelled build: container " + cid + " was not killed: " + e.getMessage());
        }
    }

    /** Copies {@code sources} to {@code dest} (absolute) in the stage's image; returns the new image id (as run). */
    String copy(String lease, Stage st, List<Source> sources, String dest, boolean destIsDir, String chown,
                Integer chmod, String createdBy, BuildProgress progress, Removal removal) throws IOException {
        if (st.imageId == null) {
            return copyToScratch(st, sources, dest, destIsDir, chown, chmod, createdBy);
        }
        String cid = create(st, List.of("/bin/sh", "-c", "#(nop) " + createdBy), st.env(), hostConfig(Map.of()));
        boolean ok = false;
        try {
            try (ContainerRoot root = ContainerRoot.open(copyContainers, cid, scratch)) {
                Archive.Owner owner = chown == null ? null : CopyOwner.of(root.path(), chown);
                Path destPath = ScopedPath.resolve(root.path(), dest, true);
                boolean intoDir = destIsDir || Files.isDirectory(destPath);
                for (Source s : sources) {
                    // an archive ADD unpacks and a directory's contents are copied into the destination directory;
                    // a file goes into it under its own name, or becomes the destination path itself
                    String into = intoDir || s.isDir() || s.extract() ? dest : parent(dest);
                    String name = intoDir ? s.name() : Path.of(dest).getFileName().toString();
                    Files.createDirectories(ScopedPath.resolve(root.path(), into, true));
                    Path tmp = null;
                    try {
                        InputStream in;
                        if (s.extract()) {
                            in = BuildContext.decompressed(new BufferedInputStream(Files.newInputStream(s.path())));
                        } else {
                            tmp = Files.createTempFile(scratch, "copy-", ".tar");
                            try (OutputStream out = Files.newOutputStream(tmp)) {
                                s.tar().write(name, chmod, out);
                            }
                            in = Files.newInputStream(tmp);
                        }
                        try (in) {
                            // as the classic builder: an unpacked archive keeps its owners, --chown is not applied
                            Archive.extract(root.path(), into, in, false, s.extract() ? Archive.AS_IN_ARCHIVE : owner);
                        }
                    } finally {
                        if (tmp != null) {
                            Files.deleteIfExists(tmp);
                        }
                    }
                }
            }
            String id = commit(lease, st, cid, createdBy, removal);
            ok = true;
            return id;
        } finally {
            finish(cid, ok, removal, progress);
        }
    }

    /**
     * The first files of a stage FROM scratch: no container can run on an empty image, so the files are tarred at
     * their destination paths and imported as the first layer (as {@code docker import} makes one), then the
     * stage's config is put on it.
     */
    private String copyToScratch(Stage st, List<Source> sources, String dest, boolean destIsDir, String chown,
                                 Integer chmod, String createdBy) throws IOException {
        int uid = 0;
        int gid = 0;
        if (chown != null) {
            try {
                String[] ug = chown.split(":", 2);
                uid = Integer.parseInt(ug[0]);
                gid = ug.length > 1 ? Integer.parseInt(ug[1]) : uid;
            } catch (NumberFormatException e) {
                throw new DockerfileException("--chown=" + chown + " on a stage FROM scratch: only numeric ids can be "
                        + "used, there is no /etc/passwd to look names up in");
            }
        }
        Files.createDirectories(scratch); // a daemon's first build may start FROM scratch, before any mount made it
        Path tmp = Files.createTempFile(scratch, "scratch-", ".tar");
        try {
            try (OutputStream out = Files.newOutputStream(tmp);
                 TarArchiveOutputStream tar = SourceTar.open(out)) {
                Set<String> dirs = new HashSet<>();
                for (Source s : sources) {
                    if (s.extract()) {
                        throw new DockerfileException("ADD of an archive into a stage FROM scratch is not supported by "
                                + "pouchd's builder: COPY a file or directory first");
                    }
                    boolean intoDir = destIsDir || s.isDir();
                    String dir = (intoDir ? dest : parent(dest)).replaceAll("^/+", "").replaceAll("/+$", "");
                    String name = intoDir ? s.name() : Path.of(dest).getFileName().toString();
                    String prefix = dir.isEmpty() ? "" : dir + "/";
                    StringBuilder d = new StringBuilder();
                    for (String part : dir.isEmpty() ? new String[0] : dir.split("/+")) {
                        d.append(part).append('/');
                        if (dirs.add(d.toString())) {
                            TarArchiveEntry e = new TarArchiveEntry(d.toString());
                            e.setMode(040755);
                            tar.putArchiveEntry(e);
                            tar.closeArchiveEntry();
                        }
                    }
                    SourceTar.add(tar, s.path(), name, chmod, prefix, uid, gid);
                }
            }
            String layerImage;
            try (InputStream in = Files.newInputStream(tmp)) {
                layerImage = images.importImage(in, null, null, List.of(), null);
            }
            ObjectNode imported = imageCommitter.configJson(layerImage);
            ObjectNode img = st.image.deepCopy();
            String now = Instant.now().toString();
            img.put("created", now);
            img.set("rootfs", imported.get("rootfs"));
            ObjectNode h = img.withArray("history").addObject();
            h.put("created", now);
            h.put("created_by", createdBy);
            String id = imageCommitter.commit(layerImage, null, null, Json.MAPPER.writeValueAsBytes(img), null, null);
            return id;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A container over {@code imageId} whose root is mounted for reading (COPY --from); closing removes it. */
    MountedImage mount(String imageId) {
        String cid = containers.create(null, containerConfig(imageId, List.of("/bin/sh", "-c", "#(nop) COPY --from"),
                List.of(), "/", ""), hostConfig(Map.of()), NetworkRequest.EMPTY).id();
        try {
            return new MountedImage(cid, ContainerRoot.open(copyContainers, cid, scratch));
        } catch (RuntimeException e) {
            containers.remove(cid, true, true);
            throw e;
        }
    }

    /** An image's root, mounted through a container that is never started. */
    final class MountedImage implements AutoCloseable {
        private final String cid;
        private final ContainerRoot root;

        private MountedImage(String cid, ContainerRoot root) {
            this.cid = cid;
            this.root = root;
        }

        Path root() {
            return root.path();
        }

        @Override
        public void close() {
            try {
                root.close();
            } finally {
                containers.remove(cid, true, true);
            }
        }
    }

    private String create(Stage st, List<String> cmd, List<String> env, HostConfig hostConfig) {
        if (st.imageId == null) {
            throw new DockerfileException("a stage FROM scratch needs a COPY or ADD of its first files before it can "
                    + "RUN; pouchd's builder cannot start a container on an empty image");
        }
        ContainerConfig cfg = containerConfig(st.imageId, cmd, env, st.workdir(), st.run().path("User").asText(""));
        return containers.create(null, cfg, hostConfig, NetworkRequest.EMPTY).id();
    }

    private static ContainerConfig containerConfig(String image, List<String> cmd, List<String> env, String workdir,
                                                   String user) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Image", image);
        c.put("Cmd", cmd);
        c.put("Entrypoint", List.of(""));
        c.put("Env", env);
        c.put("WorkingDir", workdir);
        c.put("User", user);
        c.put("AttachStdout", true);
        c.put("AttachStderr", true);
        c.put("Labels", Map.of());
        return Json.MAPPER.convertValue(c, ContainerConfig.class);
    }

    private static HostConfig hostConfig(Map<String, Object> json) {
        return Json.MAPPER.convertValue(json, HostConfig.class);
    }

    /**
     * The step's layer: a container removed after the step gives its rootfs snapshot to the layer
     * ({@link ContainerCommitter#commitStopped}); one kept ({@code rm=0}) is committed as {@code docker commit} does.
     */
    private String commit(String lease, Stage st, String cid, String createdBy, Removal removal) throws IOException {
        Function<String, byte[]> config = diffId -> {
            ObjectNode img = st.image.deepCopy();
            String now = Instant.now().toString();
            img.put("created", now);
            img.put("container", cid);
            ObjectNode rootfs = img.has("rootfs") ? (ObjectNode) img.get("rootfs") : img.putObject("rootfs");
            rootfs.put("type", "layers");
            rootfs.withArray("diff_ids").add(diffId);
            ObjectNode h = img.withArray("history").addObject();
            h.put("created", now);
            h.put("created_by", createdBy);
            try {
                return Json.MAPPER.writeValueAsBytes(img);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return removal.onSuccess() ? committer.commitStopped(lease, cid, st.imageId, config, scratch)
                : committer.commitAs(cid, st.imageId, config, null, null);
    }

    private void finish(String cid, boolean ok, Removal removal, BuildProgress progress) {
        if (ok && removal.onSuccess()) {
            // off the build's path: the next step does not wait for it, the build's answer does
            progress.stream("Removing intermediate container " + cid.substring(0, 12) + "\n");
            removal.pending().add(Thread.ofVirtual().name("build-rm-" + cid.substring(0, 12)).start(() -> {
                try {
                    containers.remove(cid, true, true);
                } catch (RuntimeException e) {
                    LOG.warning("could not remove intermediate container " + cid + ": " + e.getMessage());
                }
            }));
        } else if (!ok && removal.onFailure()) {
            try {
                containers.remove(cid, true, true);
            } catch (PouchException e) {
                progress.stream("Could not remove intermediate container " + cid.substring(0, 12) + ": "
                        + e.getMessage() + "\n");
            }
        }
    }

    private static String parent(String dest) {
        Path p = Path.of(dest).getParent();
        return p == null ? "/" : p.toString();
    }
}
