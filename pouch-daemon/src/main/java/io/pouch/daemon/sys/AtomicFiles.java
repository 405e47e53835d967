package io.pouch.daemon.sys;

import io.pouch.api.Json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * Crash-safe file writes: write a temp file beside the target, fsync it, rename over the target, fsync the
 * directory. A crash leaves either the old or the new content, never a torn file.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** {@code -Dpouch.traceCalls=true}: log how long each write took (its two fsyncs dominate). */

    public static void write(Path target, byte[] content) throws IOException {
        long t0 = Trace.ENABLED ? System.nanoTime() : 0;
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + Thread.currentThread().threadId());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some filesystems refuse fsync on a directory; the rename itself is still atomic
        }
        if (Trace.ENABLED) {
            Logger.getLogger(AtomicFiles.class.getName()).info(String.format(
                    "atomic write %s %.1f ms [%s]", target, (System.nanoTime() - t0) / 1e6,
                    Thread.currentThread().getName()));
        }
    }

    public static void writeJson(Path target, Object value) throws IOException {
        write(target, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
    }

    public static <T> T readJson(Path source, Class<T> type) throws IOException {
        return Json.MAPPER.readValue(source.toFile(), type);
    }
}
