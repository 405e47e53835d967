package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.daemon.containerd.Descriptor;
import io.pouch.daemon.image.ImageIndex.ConfigEntry;
import io.pouch.daemon.image.ImageIndex.ManifestEntry;
import io.pouch.daemon.image.ImageIndex.NameEntry;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Images put straight into an {@link ImageIndex}, as a reload from containerd would put them, for pure tests. */
final class IndexedImages {
    final ImageIndex index = new ImageIndex();

    /**
     * Adds a one-layer image created at {@code created}, with {@code labels}, a layer of {@code layerSize} bytes and
     * the record names {@code names} (empty: a dangling record); returns its id.
     */
    String add(String created, Map<String, String> labels, long layerSize, String... names) throws IOException {
        return addChild(null, created, labels, layerSize, names);
    }

    /** As {@link #add}, the image made from {@code parent} (its config's {@code parent}). */
    String addChild(String parent, String created, Map<String, String> labels, long layerSize, String... names)
            throws IOException {
        String diffId = ChainIds.sha256("layer of " + created + String.join(",", names));
        ObjectNode cfg = Json.MAPPER.createObjectNode();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("created", created);
        if (parent != null) {
            cfg.put("parent", parent);
        }
        cfg.put("container", "c0ffee");
        cfg.putObject("container_config").putArray("Cmd").add("/bin/sh");
        ObjectNode run = cfg.putObject("config");
        run.putArray("Cmd").add("sh");
        ObjectNode l = run.putObject("Labels");
        labels.forEach(l::put);
        cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(diffId);
        ObjectNode h = cfg.putArray("history").addObject();
        h.put("created", created);
        h.put("created_by", "/bin/sh -c #(nop) ADD file");
        byte[] config = Json.MAPPER.writeValueAsBytes(cfg);
        String id = ChainIds.sha256(config);
        ConfigEntry c = ImageConfigs.parse(id, config);
        Descriptor layer = new Descriptor(ArchiveLoader.DOCKER_LAYER_GZIP, ChainIds.sha256("blob " + diffId), layerSize);
        String manifestDigest = ChainIds.sha256("manifest " + id);
        index.configs.put(id, c);
        index.manifests.put(manifestDigest, new ManifestEntry(manifestDigest, ArchiveLoader.DOCKER_MANIFEST, 500, id,
                List.of(layer)));
        if (names.length == 0) {
            name(ImageIndex.DANGLING_PREFIX + manifestDigest, manifestDigest);
        }
        for (String n : names) {
            name(n, manifestDigest);
        }
        return id;
    }

    void name(String recordName, String manifestDigest) {
        index.names.put(recordName, new NameEntry(recordName, manifestDigest, Instant.parse("2024-05-06T07:08:09Z")));
    }

    String manifestOf(String id) {
        return index.manifestsOf(id).getFirst().digest();
    }
}
