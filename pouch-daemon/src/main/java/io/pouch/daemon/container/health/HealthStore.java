package io.pouch.daemon.container.health;

import io.pouch.api.Json;
import io.pouch.api.container.Health;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A container's health beside its metadata, {@code <containers>/<id>/health.json}, so that it survives a restart
 * of pouchd. Writes are crash-safe (temp file, fsync, rename) and never make the directory: a write that comes
 * after the container's removal finds no directory and does nothing.
 */
final class HealthStore {
    private static final Logger LOG = Logger.getLogger(HealthStore.class.getName());
    private static final String FILE = "health.json";

    private final Path containersDir;

    HealthStore(Path containersDir) {
        this.containersDir = containersDir;
    }

    /** The health saved for the container, or null (none saved, or unreadable). */
    Health load(String id) {
        Path f = containersDir.resolve(id).resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(f.toFile(), Health.class);
        } catch (IOException e) {
            LOG.warning("cannot read the health of container " + id + ": " + e.getMessage());
            return null;
        }
    }

    void save(String id, Health h) {
        Path dir = containersDir.resolve(id);
        Path tmp = dir.resolve("." + FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(Json.MAPPER.writeValueAsBytes(h));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (NoSuchFileException e) {
            return; // the container was removed
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot save the health of container " + id, e);
            return;
        }
        try {
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            LOG.warning("cannot save the health of container " + id + ": " + e.getMessage());
        } catch (IOException e) {
            LOG.log(Level.FINE, "the health of container " + id + " was not saved (removed meanwhile?)", e);
        }
    }
}
