package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.containerd.ContainerdException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.containerd.Diff;
import io.pouch.daemon.containerd.Leases;
import io.pouch.daemon.containerd.Mount;
import io.pouch.daemon.containerd.Snapshots;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.ChainIds;
import io.pouch.daemon.image.ImageCommitter;

import io.pouch.daemon.containerd.SnapshotMounts;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code docker commit}: the container's changes become a new layer computed by containerd's Diff service between
 * the image's snapshot (a read-only view) and the container's rootfs (mounted read-only, so a running container is
 * not disturbed), then a new image on top of the container's image. What it creates in containerd is held by a
 * lease of its own until the image records hold it.
 */
public final class ContainerCommitter implements CommitService {
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** A build step's layer: stored as tarred, its digest is its diff id (valid in OCI and Docker manifests). */
    static final String UNCOMPRESSED_LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    private static final Duration LEASE_EXPIRY = Duration.ofHours(1);

    private final ContainerManager containers;
    private final ImageCommitter images;
    private final Leases leases;
    private final Snapshots snapshots;
    private final Diff diff;
    private final Content content;
    private final EventBus events;

    public ContainerCommitter(Containerd ctd, ContainerManager containers, ImageCommitter images, EventBus events) {
        this.containers = containers;
        this.images = images;
        this.leases = new Leases(ctd);
        this.snapshots = new Snapshots(ctd);
        this.diff = new Diff(ctd);
        this.content = new Content(ctd, Optional.empty());
        this.events = events;
    }

    @Override
    public String commit(CommitRequest request) throws IOException {
        ContainerInspect c = containers.inspect(request.container(), false);
        String parentId = c.image();
        ObjectNode cfg = images.configJson(parentId);
        ObjectNode run = CommitConfig.runConfig(Json.MAPPER.valueToTree(c.config()), request.config(), request.changes());
        String id = commitAs(c.id(), parentId, diffId -> {
            try {
                return Json.MAPPER.writeValueAsBytes(CommitConfig.imageConfig(cfg.deepCopy(), run, c.id(), diffId,
                        request.author(), request.comment(), String.join(" ", cmdline(c)), Instant.now()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, request.repo(), request.tag());
        events.publish(Event.of("container", "commit", c.id(), Map.of("comment",
                request.comment() == null ? "" : request.comment(), "imageID", id,
                "name", c.name().replaceFirst("^/", ""))));
        return id;
    }

    /**
     * The changes of container {@code containerId} (whose image is {@code parentId}) as one new layer over that
     * image: a new image whose config is what {@code configFor} makes for the layer's diff id (a complete image
     * config: its rootfs lists the parent's diff ids and this one). The image builder's RUN and COPY steps use it.
     */
    public String commitAs(String containerId, String parentId, Function<String, byte[]> configFor, String repo,
                           String tag) throws IOException {
        ObjectNode cfg = images.configJson(parentId);
        String lease = leases.create("pouch-commit-" + containerId.substring(0, 12) + "-" + System.nanoTime(),
                LEASE_EXPIRY);
        String viewKey = lease + "-parent";
        try {
            List<Mount> left = List.of();
            String parentChain = lastChainId(cfg);
            if (parentChain != null) {
                left = snapshots.view(lease, viewKey, parentChain).mounts();
            }
            List<Mount> right = containers.rootfsMounts(containerId).readOnlyView();
            Descriptor layer = diff.diff(lease, left, right, LAYER_TYPE, "pouch-commit-" + containerId);
            String diffId = content.info(layer.digest())
                    .orElseThrow(() -> PouchException.internal("cannot commit container " + containerId + ": the layer "
                            + layer.digest() + " containerd's diff wrote is not in its content store", null))
                    .labels().get(Content.UNCOMPRESSED);
            if (diffId == null) {
                throw PouchException.internal("containerd's diff did not record the layer's uncompressed digest", null);
            }
            return images.commit(parentId, layer, diffId, configFor.apply(diffId), repo, tag);
        } catch (ContainerdException e) {
            throw PouchException.internal("cannot commit container " + containerId + ": " + e.description(), e);
        } finally {
            try {
                snapshots.remove(viewKey);
            } catch (ContainerdException ignored) {
                // no view was made
            }
            try {
                leases.delete(lease);
            } catch (ContainerdException ignored) {
                // expires by itself
            }
        }
    }

    /**
     * As {@link #commitAs} for a stopped container whose rootfs is not used again (a build step's; the caller then
     * removes the container): its own active snapshot becomes the layer's committed snapshot under the chain id, so
     * nothing is re-applied, and the layer blob is its overlay upper directory tarred uncompressed
     * ({@link UpperTar}), so nothing is compared or compressed. Where the upper directory may not hold the whole
     * change, {@link #commitAs} does the work. What it stores is held by the caller's {@code lease} (from
     * {@link ImageCommitter#lease}) until the image's record holds it. The tar is spooled under {@code scratch}.
     */
    public String commitStopped(String lease, String containerId, String parentId, Function<String, byte[]> configFor,
                                Path scratch) throws IOException {
        SnapshotMounts rootfs = containers.rootfsMounts(containerId);
        if (!UpperTar.COMPLETE || rootfs.upper() == null || !rootfs.isOverlay()) {
            return commitAs(containerId, parentId, configFor, null, null);
        }
        List<String> diffIds = new ArrayList<>();
        images.configJson(parentId).path("rootfs").path("diff_ids").forEach(n -> diffIds.add(n.asText()));
        Files.createDirectories(scratch);
        Path tmp = Files.createTempFile(scratch, "layer-", ".tar");
        try {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 65536),
                    md)) {
                UpperTar.write(rootfs.upper(), out);
            } catch (UpperTar.XattrsPresent e) {
                // containerd's differ writes extended attributes as they are
                return commitAs(containerId, parentId, configFor, null, null);
            }
            String diffId = "sha256:" + HexFormat.of().formatHex(md.digest());
            long size = Files.size(tmp);
            content.write(lease, diffId, size, () -> Files.newInputStream(tmp), Map.of());
            diffIds.add(diffId);
            String chainId = ChainIds.top(diffIds);
            try {
                snapshots.commit(lease, chainId, containerId, Map.of());
            } catch (ContainerdException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                // the same layer was committed before (by another build): that snapshot serves, under this lease
                leases.addResource(lease, Snapshots.LEASE_RESOURCE, chainId);
            }
            return images.commitInPlace(lease, parentId, new Descriptor(UNCOMPRESSED_LAYER_TYPE, diffId, size, Map.of()),
                    diffId, configFor.apply(diffId));
        } catch (ContainerdException e) {
            throw PouchException.internal("cannot commit container " + containerId + ": " + e.description(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static List<String> cmdline(ContainerInspect c) {
        List<String> l = new ArrayList<>();
        l.add(c.path());
        if (c.args() != null) {
            l.addAll(c.args());
        }
        return l;
    }

    private static String lastChainId(ObjectNode cfg) {
        List<String> diffIds = new ArrayList<>();
        cfg.path("rootfs").path("diff_ids").forEach(n -> diffIds.add(n.asText()));
        return diffIds.isEmpty() ? null : ChainIds.of(diffIds).getLast();
    }
}
