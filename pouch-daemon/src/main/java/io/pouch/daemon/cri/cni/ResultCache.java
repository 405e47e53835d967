package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The result of each successful ADD, kept on disk as libcni keeps it under /var/lib/cni/results: one file per
 * network, container and interface ({@code results/<network>-<containerId>-<ifName>}) holding the result and the
 * configuration and capability arguments the pod was set up with. DEL and CHECK run from it, so a pod is torn
 * down with the configuration that set it up even when the configuration directory changed since, and after a
 * restart of pouchd.
 */
final class ResultCache {
    private static final Logger LOG = Logger.getLogger(ResultCache.class.getName());
    static final String KIND = "pouchCniCacheV1";

    private final Path results;

    ResultCache(Path cacheDir) {
        this.results = cacheDir.resolve("results");
    }

    /** What an ADD left: the configuration list, the capability arguments and the final result. */
    record Entry(String networkName, String containerId, String ifName, ObjectNode config,
                 ObjectNode capabilityArgs, JsonNode result) {
    }

    /** The file name of an entry, libcni's: {@code <network>-<containerId>-<ifName>}. */
    static String key(String networkName, String containerId, String ifName) {
        return networkName + "-" + containerId + "-" + ifName;
    }

    Path path(String networkName, String containerId, String ifName) {
        return results.resolve(key(networkName, containerId, ifName));
    }

    void put(Entry e) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", KIND);
        o.put("networkName", e.networkName());
        o.put("containerId", e.containerId());
        o.put("ifName", e.ifName());
        o.set("config", e.config());
        o.set("capabilityArgs", e.capabilityArgs());
        o.set("result", e.result());
        Path target = path(e.networkName(), e.containerId(), e.ifName());
        try {
            Files.createDirectories(results);
            Path tmp = Files.createTempFile(results, ".tmp-", "");
            try {
                Files.write(tmp, Json.MAPPER.writeValueAsBytes(o));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException x) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException x) {
            throw PouchException.internal("cannot write the CNI result cache " + target + ": " + x.getMessage(), x);
        }
    }

    Optional<Entry> get(String networkName, String containerId, String ifName) {
        return read(path(networkName, containerId, ifName))
                .filter(e -> e.networkName().equals(networkName) && e.containerId().equals(containerId)
                        && e.ifName().equals(ifName));
    }

    /**
     * The entry of {@code containerId} and {@code ifName} whatever its network is called (the configuration in
     * effect now may name another network than the one the pod was set up with). Names are read from inside the
     * files, as network names and ids may both contain '-'.
     */
    Optional<Entry> find(String containerId, String ifName) {
        String suffix = "-" + containerId + "-" + ifName;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(results, "*" + suffix)) {
            for (Path p : ds) {
                Optional<Entry> e = read(p).filter(x -> x.containerId().equals(containerId)
                        && x.ifName().equals(ifName) && p.getFileName().toString().equals(
                        key(x.networkName(), containerId, ifName)));
                if (e.isPresent()) {
                    return e;
                }
            }
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException x) {
            throw new UncheckedIOException("cannot list the CNI result cache " + results, x);
        }
        return Optional.empty();
    }

    void remove(String networkName, String containerId, String ifName) {
        Path p = path(networkName, containerId, ifName);
        try {
            Files.deleteIfExists(p);
        } catch (IOException x) {
            throw PouchException.internal("cannot remove the CNI result cache " + p + ": " + x.getMessage(), x);
        }
    }

    private static Optional<Entry> read(Path p) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException x) {
            return Optional.empty();
        } catch (IOException x) {
            throw PouchException.internal("cannot read the CNI result cache " + p + ": " + x.getMessage(), x);
        }
        try {
            JsonNode n = Json.MAPPER.readTree(bytes);
            if (n != null && KIND.equals(n.path("kind").asText()) && n.get("config") instanceof ObjectNode config) {
                return Optional.of(new Entry(n.path("networkName").asText(), n.path("containerId").asText(),
                        n.path("ifName").asText(), config,
                        n.get("capabilityArgs") instanceof ObjectNode ca ? ca : Json.MAPPER.createObjectNode(),
                        n.get("result")));
            }
        } catch (IOException x) {
            // a torn or foreign file: as if nothing were cached (DEL then runs with the current configuration)
        }
        LOG.warning(() -> "ignoring unreadable CNI result cache " + p);
        return Optional.empty();
    }
}
