package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a spooled archive into verified {@link PendingImage}s. Two formats: docker-save (manifest.json with
 * Config/RepoTags/Layers) and the OCI image layout (oci-layout, index.json, blobs/sha256/...). Every digest and
 * diff id is recomputed from the bytes; a mismatch or a hostile layer entry refuses the whole archive.
 */
final class ArchiveLoader {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private final ArchiveSpool spool;
    private final Map<String, LayerCheck.Result> checked = new HashMap<>();

    ArchiveLoader(ArchiveSpool spool) {
        this.spool = spool;
    }

    List<PendingImage> images() throws IOException {
        if (spool.has("manifest.json")) {
            return dockerSave();
        }
        if (spool.has("index.json") && spool.has("oci-layout")) {
            return ociLayout();
        }
        throw PouchException.invalidArgument("invalid image archive: neither manifest.json (docker save) nor "
                + "oci-layout and index.json (OCI image layout) found");
    }

    private List<PendingImage> dockerSave() throws IOException {
        JsonNode manifest = parse(spool.json("manifest.json", "manifest"), "manifest.json");
        if (!manifest.isArray()) {
            throw PouchException.invalidArgument("invalid image archive: manifest.json is not a JSON array");
        }
        List<PendingImage> out = new ArrayList<>();
        for (JsonNode m : manifest) {
            ArchiveSpool.Spooled configFile = spool.require(m.path("Config").asText(), "config");
            byte[] config = spool.json(configFile.name(), "config");
            List<String> diffIds = diffIds(config, configFile.name());
            JsonNode layerNames = m.path("Layers");
            if (layerNames.size() != diffIds.size()) {
                throw PouchException.invalidArgument("invalid image archive: " + layerNames.size()
                        + " layers listed but the config has " + diffIds.size() + " diff ids");
            }
            List<PendingImage.Layer> layers = new ArrayList<>();
            for (int i = 0; i < diffIds.size(); i++) {
                ArchiveSpool.Spooled blob = spool.require(layerNames.get(i).asText(), "layer");
                LayerCheck.Result r = check(blob, diffIds.get(i));
                layers.add(new PendingImage.Layer(blob.file(), blob.digest(), blob.size(),
                        r.mediaType(), r.diffId()));
            }
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode t : m.path("RepoTags")) {
                names.add(Reference.parseNormalized(t.asText()).recordName());
            }
            byte[] manifestBytes = schema2Manifest(configFile.digest(), config.length, layers);
            out.add(new PendingImage(List.copyOf(names), config, configFile.digest(), List.copyOf(layers),
                    manifestBytes, DOCKER_MANIFEST));
        }
        return out;
    }

    private List<PendingImage> ociLayout() throws IOException {
        JsonNode index = parse(spool.json("index.json", "index"), "index.json");
        Map<String, Set<String>> namesByManifest = new HashMap<>();
        Map<String, JsonNode> manifests = new HashMap<>();
        for (JsonNode d : index.path("manifests")) {
            JsonNode chosen = chooseManifest(d, 0);
            String digest = chosen.path("digest").asText();
            manifests.putIfAbsent(digest, chosen);
            Set<String> names = namesByManifest.computeIfAbsent(digest, k -> new LinkedHashSet<>());
            String full = d.path("annotations").path("io.containerd.image.name").asText(null);
            String ref = d.path("annotations").path("org.opencontainers.image.ref.name").asText(null);
            if (full != null) {
                names.add(Reference.parseNormalized(full).recordName());
            } else if (ref != null && !Reference.isValidTag(ref)) {
                names.add(Reference.parseNormalized(ref).recordName());
            }
        }
        List<PendingImage> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : manifests.entrySet()) {
            String mediaType = e.getValue().path("mediaType").asText(OCI_MANIFEST);
            byte[] manifestBytes = blob(e.getKey(), e.getValue().path("size").asLong(-1));
            JsonNode manifest = parse(manifestBytes, "manifest " + e.getKey());
            JsonNode cd = manifest.path("config");
            byte[] config = blob(cd.path("digest").asText(), cd.path("size").asLong(-1));
            List<String> diffIds = diffIds(config, "config " + cd.path("digest").asText());
            JsonNode ls = manifest.path("layers");
            if (ls.size() != diffIds.size()) {
                throw PouchException.invalidArgument("invalid image archive: manifest " + e.getKey() + " lists "
                        + ls.size() + " layers but its config has " + diffIds.size() + " diff ids");
            }
            List<PendingImage.Layer> layers = new ArrayList<>();
            for (int i = 0; i < ls.size(); i++) {
                JsonNode ld = ls.get(i);
                ArchiveSpool.Spooled b = blobFile(ld.path("digest").asText(), ld.path("size").asLong(-1));
                LayerCheck.Result r = check(b, diffIds.get(i));
                layers.add(new PendingImage.Layer(b.file(), b.digest(), b.size(),
                        ld.path("mediaType").asText(r.mediaType()), r.diffId()));
            }
            out.add(new PendingImage(List.copyOf(namesByManifest.get(e.getKey())), config,
                    cd.path("digest").asText(), List.copyOf(layers), manifestBytes, mediaType));
        }
        return out;
    }

    /** Follows nested indexes down to one image manifest: linux/amd64, or the only one there is. */
    private JsonNode chooseManifest(JsonNode d, int depth) throws IOException {
        String mt = d.path("mediaType").asText("");
        if (!mt.equals(OCI_INDEX) && !mt.equals(DOCKER_LIST)) {
            return d;
        }
        if (depth > 4) {
            throw PouchException.invalidArgument("invalid image archive: indexes nested too deeply");
        }
        JsonNode idx = parse(blob(d.path("digest").asText(), d.path("size").asLong(-1)), "index " + d.path("digest").asText());
        JsonNode fallback = null;
        for (JsonNode m : idx.path("manifests")) {
            JsonNode p = m.path("platform");
            if (p.isMissingNode() || ("linux".equals(p.path("os").asText()) && "amd64".equals(p.path("architecture").asText()))) {
                if (spool.has(blobPath(m.path("digest").asText()))) {
                    return chooseManifest(m, depth + 1);
                }
            }
            if (fallback == null && spool.has(blobPath(m.path("digest").asText()))) {
                fallback = m;
            }
        }
        if (fallback == null) {
            throw PouchException.invalidArgument("invalid image archive: index " + d.path("digest").asText()
                    + " has no manifest present in the archive");
        }
        return chooseManifest(fallback, depth + 1);
    }

    private static String blobPath(String digest) {
        if (!Reference.isDigest(digest)) {
            throw PouchException.invalidArgument("invalid image archive: unsupported digest \"" + digest + "\"");
        }
        return "blobs/sha256/" + digest.substring("sha256:".length());
    }

    private ArchiveSpool.Spooled blobFile(String digest, long size) {
        ArchiveSpool.Spooled s = spool.require(blobPath(digest), "blob");
        if (!s.digest().equals(digest) || (size >= 0 && s.size() != size)) {
            throw PouchException.invalidArgument("invalid image archive: blob " + digest + " does not match its digest or size");
        }
        return s;
    }

    private byte[] blob(String digest, long size) throws IOException {
        return spool.json(blobFile(digest, size).name(), "blob");
    }

    private LayerCheck.Result check(ArchiveSpool.Spooled blob, String expectedDiffId) throws IOException {
        LayerCheck.Result r = checked.get(blob.digest());
        if (r == null) {
            try (InputStream in = blob.open()) {
                r = LayerCheck.check(in, "layer " + blob.name());
            }
            checked.put(blob.digest(), r);
        }
        if (!r.diffId().equals(expectedDiffId)) {
            throw PouchException.invalidArgument("invalid image archive: layer " + blob.name() + " has diff id "
                    + r.diffId() + " but the image config says " + expectedDiffId);
        }
        return r;
    }

    static List<String> diffIds(byte[] config, String what) {
        JsonNode c = parse(config, what);
        if (!c.path("rootfs").path("diff_ids").isArray()) {
            throw PouchException.invalidArgument("invalid image config " + what + ": no rootfs.diff_ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode d : c.path("rootfs").path("diff_ids")) {
            if (!Reference.isDigest(d.asText())) {
                throw PouchException.invalidArgument("invalid image config " + what + ": bad diff id " + d);
            }
            out.add(d.asText());
        }
        return out;
    }

    static JsonNode parse(byte[] json, String what) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw PouchException.invalidArgument("invalid image archive: " + what + " is not valid JSON");
        }
    }

    /**
     * A Docker schema2 manifest for images that arrive without one (docker-save archives, imports). Schema2 rather
     * than OCI because the config and layers are Docker's own formats (Docker media types), which is what dockerd
     * records for them and what a later push of such an image to a Docker registry sends. Field order is fixed,
     * so the same image always yields the same manifest digest.
     */
    static byte[] schema2Manifest(String configDigest, long configSize, List<PendingImage.Layer> layers) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", DOCKER_MANIFEST);
        ObjectNode c = m.putObject("config");
        c.put("mediaType", DOCKER_CONFIG);
        c.put("size", configSize);
        c.put("digest", configDigest);
        ArrayNode ls = m.putArray("layers");
        for (PendingImage.Layer l : layers) {
            ObjectNode o = ls.addObject();
            o.put("mediaType", l.mediaType());
            o.put("size", l.size());
            o.put("digest", l.digest());
        }
        try {
            return Json.MAPPER.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
