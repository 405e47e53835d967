package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import containerd.services.content.v1.ContentOuterClass;
import containerd.services.diff.v1.DiffOuterClass;
import containerd.services.leases.v1.LeasesOuterClass;
import containerd.services.snapshots.v1.SnapshotsOuterClass;
import containerd.types.DescriptorOuterClass.Descriptor;
import containerd.types.MountOuterClass;
import io.grpc.StatusRuntimeException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerInspect;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.Containerd;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.image.Changes;
import io.pouch.daemon.image.ImageManager;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /commit}: the container's changes become a new layer computed by containerd's Diff service between
 * the image's snapshot (a read-only view) and the container's rootfs (mounted read-only, so a running container is
 * not disturbed), then a new image on top of the container's image.
 */
public final class CommitRoutes implements RouteRegistrar {
    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    static final String SNAPSHOTTER = "overlayfs";
    /** The run-config keys an image keeps from the container's config (as docker commit). */
    private static final List<String> KEPT = List.of("User", "ExposedPorts", "Env", "Cmd", "Healthcheck",
            "ArgsEscaped", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels", "StopSignal", "Shell");

    private final Containerd ctd;
    private final ContainerManager containers;
    private final ImageManager images;
    private final EventBus events;

    public CommitRoutes(Containerd ctd, ContainerManager containers, ImageManager images, EventBus events) {
        this.ctd = ctd;
        this.containers = containers;
        this.images = images;
        this.events = events;
    }

    @Override
    public void register(Router r) {
        r.add("POST", "/commit", this::commit);
    }

    private void commit(HttpExchange ex) throws Exception {
        String ref = ex.query("container");
        if (ref == null || ref.isEmpty()) {
            throw PouchException.invalidArgument("container is required: give the container to commit");
        }
        ContainerInspect c = containers.inspect(ref, false);
        String parentId = c.image();
        ObjectNode cfg = images.configJson(parentId);
        ObjectNode run = Json.MAPPER.createObjectNode();
        JsonNode cc = Json.MAPPER.valueToTree(c.config());
        for (String k : KEPT) {
            if (cc.has(k) && !cc.get(k).isNull()) {
                run.set(k, cc.get(k));
            }
        }
        JsonNode body = ex.bodyJson(JsonNode.class);
        if (body != null && body.isObject()) {
            // the request body is a container config overriding the container's (docker-java sends it)
            body.fields().forEachRemaining(e -> {
                if (KEPT.contains(e.getKey()) && !e.getValue().isNull()) {
                    run.set(e.getKey(), e.getValue());
                }
            });
        }
        List<String> changes = new ArrayList<>(ex.queryAll("changes"));
        changes.removeIf(String::isBlank);
        Changes.apply(changes, run);

        String lease = "pouch-commit-" + c.id().substring(0, 12) + "-" + System.nanoTime();
        ctd.leases().create(LeasesOuterClass.CreateRequest.newBuilder().setId(lease)
                .putLabels("containerd.io/gc.expire", Instant.now().plus(1, ChronoUnit.HOURS).toString()).build());
        String viewKey = lease + "-parent";
        try {
            List<MountOuterClass.Mount> left = List.of();
            String parentChain = lastChainId(cfg);
            if (parentChain != null) {
                left = Containerd.withLease(ctd.snapshots(), lease).view(SnapshotsOuterClass.ViewSnapshotRequest
                        .newBuilder().setSnapshotter(SNAPSHOTTER).setKey(viewKey).setParent(parentChain).build())
                        .getMountsList();
            }
            List<MountOuterClass.Mount> right = containers.rootfsMounts(c.id()).readOnlyView().stream()
                    .map(m -> MountOuterClass.Mount.newBuilder().setType(m.type()).setSource(m.source())
                            .setTarget(m.target()).addAllOptions(m.options()).build()).toList();
            Descriptor layer = Containerd.withLease(ctd.diff(), lease).diff(DiffOuterClass.DiffRequest.newBuilder()
                    .addAllLeft(left).addAllRight(right).setMediaType(LAYER_TYPE)
                    .setRef("pouch-commit-" + c.id()).build()).getDiff();
            String diffId = ctd.content().info(ContentOuterClass.InfoRequest.newBuilder().setDigest(layer.getDigest())
                    .build()).getInfo().getLabelsMap().get("containerd.io/uncompressed");
            if (diffId == null) {
                throw PouchException.internal("containerd's diff did not record the layer's uncompressed digest", null);
            }
            String now = Instant.now().toString();
            cfg.set("config", run);
            cfg.put("created", now);
            cfg.put("container", c.id());
            String comment = ex.query("comment");
            String author = ex.query("author");
            if (author != null && !author.isEmpty()) {
                cfg.put("author", author);
            }
            if (comment != null && !comment.isEmpty()) {
                cfg.put("comment", comment);
            }
            ObjectNode rootfs = cfg.with("rootfs");
            rootfs.put("type", "layers");
            ArrayNode ids = rootfs.withArray("diff_ids");
            ids.add(diffId);
            ObjectNode h = cfg.withArray("history").addObject();
            h.put("created", now);
            if (author != null && !author.isEmpty()) {
                h.put("author", author);
            }
            h.put("created_by", String.join(" ", cmdline(c)));
            if (comment != null && !comment.isEmpty()) {
                h.put("comment", comment);
            }
            String id = images.commitImage(parentId, layer, diffId, Json.MAPPER.writeValueAsBytes(cfg),
                    ex.query("repo"), ex.query("tag"));
            events.publish(Event.of("container", "commit", c.id(), Map.of("comment",
                    comment == null ? "" : comment, "imageID", id, "name", c.name().replaceFirst("^/", ""))));
            ex.respond(201, Map.of("Id", id));
        } catch (StatusRuntimeException e) {
            throw PouchException.internal("cannot commit container " + c.id() + ": " + e.getStatus().getDescription(), e);
        } finally {
            try {
                ctd.snapshots().remove(SnapshotsOuterClass.RemoveSnapshotRequest.newBuilder().setSnapshotter(SNAPSHOTTER)
                        .setKey(viewKey).build());
            } catch (StatusRuntimeException ignored) {
                // no view was made
            }
            try {
                ctd.leases().delete(LeasesOuterClass.DeleteRequest.newBuilder().setId(lease).build());
            } catch (StatusRuntimeException ignored) {
                // expires by itself
            }
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
        return diffIds.isEmpty() ? null : io.pouch.daemon.image.ChainIds.of(diffIds).getLast();
    }
}
