package io.pouch.daemon.p2p;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The verified pieces this peer can serve, one sparse spool file per blob under a directory of its own. A blob's
 * pieces are served while a pull of it runs and for {@code retention} after the last one ended; then (or earlier,
 * oldest first, when the finished blobs together exceed {@code maxBytes}) the file is deleted. A blob being pulled
 * is never evicted, so one pull may exceed the bound. The directory is emptied at start: pieces from an earlier run
 * are not trusted.
 */
final class PieceStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PieceStore.class.getName());

    /** One blob's spool. Pieces are written once, after verification, and read by the server and the sink. */
    static final class Spool {
        final String digest;
        final PieceLayout layout;
        final Path file;
        private FileChannel channel;
        private boolean deleted;
        private final String[] digests;
        private int users;
        private long finishedAt;

        Spool(String digest, PieceLayout layout, Path file) throws IOException {
            this.digest = digest;
            this.layout = layout;
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
            this.digests = new String[layout.count()];
        }

        synchronized boolean has(int index) {
            return layout.valid(index) && digests[index] != null;
        }

        synchronized String digestOf(int index) {
            return layout.valid(index) ? digests[index] : null;
        }

        /** The held pieces and their digests, for a re-announce. */
        synchronized Map<Integer, String> held() {
            Map<Integer, String> out = new HashMap<>();
            for (int i = 0; i < digests.length; i++) {
                if (digests[i] != null) {
                    out.put(i, digests[i]);
                }
            }
            return out;
        }

        void write(int index, byte[] data, String digest) throws IOException {
            if (data.length != layout.length(index)) {
                throw new IOException("piece " + index + " is " + data.length + " bytes, not " + layout.length(index));
            }
            for (int attempt = 1; ; attempt++) {
                FileChannel ch = channel();
                try {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    long at = layout.offset(index);
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                    break;
                } catch (ClosedChannelException e) {
                    reopenAfter(e, attempt);
                }
            }
            synchronized (this) {
                digests[index] = digest;
            }
        }

        /** The piece's bytes, or null when it is not held (or the spool was evicted meanwhile). */
        byte[] read(int index) throws IOException {
            if (!has(index)) {
                return null;
            }
            for (int attempt = 1; ; attempt++) {
                FileChannel ch = channel();
                try {
                    byte[] out = new byte[layout.length(index)];
                    ByteBuffer b = ByteBuffer.wrap(out);
                    long at = layout.offset(index);
                    while (b.hasRemaining()) {
                        int n = ch.read(b, at);
                        if (n < 0) {
                            throw new IOException("spool of " + digest + " is shorter than piece " + index);
                        }
                        at += n;
                    }
                    return out;
                } catch (ClosedChannelException e) {
                    reopenAfter(e, attempt);
                }
            }
        }

        private synchronized FileChannel channel() throws IOException {
            if (deleted) {
                throw new ClosedChannelException();
            }
            if (!channel.isOpen()) {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            return channel;
        }

        /**
         * An interrupt of any thread in a read or write closes a FileChannel for everyone (a cancelled pull, a
         * server stopping its handlers): the spool opens it again, unless it was deleted or this thread was the
         * one interrupted.
         */
        private void reopenAfter(ClosedChannelException e, int attempt) throws IOException {
            if (e instanceof ClosedByInterruptException || attempt > 2 || deleted()) {
                throw e;
            }
        }

        private synchronized boolean deleted() {
            return deleted;
        }

        synchronized long bytesHeld() {
            long n = 0;
            for (int i = 0; i < digests.length; i++) {
                if (digests[i] != null) {
                    n += layout.length(i);
                }
            }
            return n;
        }

        private synchronized void delete() {
            deleted = true;
            try {
                channel.close();
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warning("cannot delete P2P spool " + file + ": " + e.getMessage());
            }
        }
    }

    private final Path dir;
    private final Duration retention;
    private final long maxBytes;
    private final LongSupplier nanos;
    private final Map<String, Spool> spools = new HashMap<>();

    PieceStore(Path dir, Duration retention, long maxBytes, LongSupplier nanos) throws IOException {
        this.dir = dir;
        this.retention = retention;
        this.maxBytes = maxBytes;
        this.nanos = nanos;
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().endsWith(".spool")).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The blob's spool for a pull (created, or reused with what it already holds); pair with {@link #release}. */
    synchronized Spool acquire(String digest, PieceLayout layout) throws IOException {
        Spool s = spools.get(digest);
        if (s != null && !s.layout.equals(layout)) {
            if (s.users > 0) {
                throw new IOException("blob " + digest + " is being pulled as " + s.layout.size() + " bytes, not "
                        + layout.size());
            }
            spools.remove(digest).delete();
            s = null;
        }
        if (s == null) {
            s = new Spool(digest, layout, dir.resolve(digest.replace(':', '-') + ".spool"));
            spools.put(digest, s);
        }
        s.users++;
        return s;
    }

    synchronized void release(Spool s) {
        s.users--;
        s.finishedAt = nanos.getAsLong();
        evict();
    }

    /** The spool serving {@code digest}, or null. */
    synchronized Spool find(String digest) {
        return spools.get(digest);
    }

    synchronized List<Spool> all() {
        return List.copyOf(spools.values());
    }

    /** Deletes finished spools past their retention, then the oldest finished ones while over the bound. */
    synchronized void evict() {
        long now = nanos.getAsLong();
        List<Spool> finished = new ArrayList<>(spools.values().stream().filter(s -> s.users == 0)
                .sorted(Comparator.comparingLong(s -> s.finishedAt)).toList());
        long total = spools.values().stream().mapToLong(Spool::bytesHeld).sum();
        for (Spool s : finished) {
            if (now - s.finishedAt > retention.toNanos() || total > maxBytes) {
                total -= s.bytesHeld();
                spools.remove(s.digest);
                s.delete();
            }
        }
    }

    @Override
    public synchronized void close() {
        spools.values().forEach(Spool::delete);
        spools.clear();
    }
}
