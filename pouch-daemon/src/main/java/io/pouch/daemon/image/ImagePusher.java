package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.daemon.containerd.Content;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.events.Event;
import io.pouch.daemon.events.EventBus;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.Repository;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /images/{name}/push}: for each blob (layers, then config) a HEAD check, a cross-repository mount
 * when another name of the image lives on the same registry, else an upload (one PUT, or PATCH chunks); then
 * the stored manifest is PUT under the tag, so the pushed digest is the local one.
 */
final class ImagePusher implements PushService {
    private final ImageStore store;
    private final Content content;
    private final RegistryClient registry;
    private final EventBus events;

    ImagePusher(ImageStore store, Content content, RegistryClient registry, EventBus events) {
        this.store = store;
        this.content = content;
        this.registry = registry;
        this.events = events;
    }

    /** Finds the local image and checks the reference before the stream starts. */
    @Override
    public Plan resolve(String name, String tag, Credentials creds) {
        Reference r = Reference.parseNormalizedName(name);
        if (tag != null && !tag.isEmpty()) {
            if (!Reference.isValidTag(tag)) {
                throw PouchException.invalidArgument("invalid tag format");
            }
            r = r.withTag(tag);
        } else if (r.tag() == null && r.digest() == null) {
            r = r.withTag(Reference.DEFAULT_TAG);
        }
        if (r.digest() != null) {
            throw PouchException.invalidArgument("cannot push a digest reference");
        }
        ImageStore.PushSource src;
        try {
            src = store.pushSource(r.familiar());
        } catch (PouchException e) {
            if (e.status() == 404) {
                throw PouchException.notFound("An image does not exist locally with the tag: " + r.familiarName());
            }
            throw e;
        }
        return new Plan(r, src, registry.repository(r.domain(), r.path(), creds, true));
    }

    @Override
    public void push(Plan plan, ProgressWriter out) throws IOException {
        Reference ref = plan.ref();
        out.status("The push refers to repository [" + ref.name().replaceFirst("^docker\\.io/", "") + "]");
        ImageStore.PushSource src = plan.source();
        Repository repo = plan.repo();
        List<Descriptor> layers = new ArrayList<>(src.manifest().layers());
        List<String> ids = layers.stream().map(d -> d.digest().substring(7, 19)).toList();
        for (int i = layers.size() - 1; i >= 0; i--) {
            out.status(ids.get(i), "Preparing");
        }
        List<String> mountFrom = new ArrayList<>();
        for (String other : src.otherNames()) {
            try {
                Reference o = Reference.parseNormalized(other);
                if (o.domain().equals(ref.domain()) && !o.path().equals(ref.path())) {
                    mountFrom.add(o.path());
                }
            } catch (PouchException ignored) {
                // a dangling record name
            }
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            Descriptor d = layers.get(i);
            String id = ids.get(i);
            if (repo.blobExists(d.digest())) {
                out.status(id, "Layer already exists");
                continue;
            }
            Optional<URI> upload = Optional.empty();
            boolean mounted = false;
            for (String from : mountFrom) {
                upload = repo.startUpload(d.digest(), from);
                if (upload.isEmpty()) {
                    out.status(id, "Mounted from " + from);
                    mounted = true;
                    break;
                }
            }
            if (mounted) {
                continue;
            }
            URI location = upload.orElseGet(() -> repo.startUpload(d.digest(), null).orElseThrow());
            long size = d.size();
            long[] last = {-1};
            repo.upload(location, d.digest(), size, () -> content.open(d.digest()), current -> {
                if (current - last[0] >= (512 << 10) || current == size) {
                    last[0] = current;
                    out.progress(id, "Pushing", current, size);
                }
            });
            out.status(id, "Pushed");
        }
        String configDigest = src.manifest().configDigest();
        if (!repo.blobExists(configDigest)) {
            byte[] config = content.read(configDigest);
            URI loc = repo.startUpload(configDigest, null).orElseThrow();
            repo.upload(loc, configDigest, config.length, () -> new ByteArrayInputStream(config), c -> {
            });
        }
        String mediaType = src.manifest().mediaType();
        JsonNode json = ArchiveLoader.parse(src.manifestBytes(), "manifest");
        if (json.path("mediaType").isTextual()) {
            mediaType = json.path("mediaType").asText();
        }
        String digest = repo.putManifest(ref.tag(), src.manifestBytes(), mediaType);
        int size = src.manifestBytes().length;
        out.status(ref.tag() + ": digest: " + digest + " size: " + size);
        Map<String, Object> aux = new LinkedHashMap<>();
        aux.put("Tag", ref.tag());
        aux.put("Digest", digest);
        aux.put("Size", size);
        out.aux(aux);
        events.publish(Event.of("image", "push", ref.familiar(), Map.of("name", ref.name())));
    }
}
