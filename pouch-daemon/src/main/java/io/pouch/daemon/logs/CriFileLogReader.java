package io.pouch.daemon.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a CRI log file back (see {@link CriFileLog} for the format) for {@code docker logs}: the {@code P} pieces
 * of a line are joined with its {@code F} end into one entry, stamped with the time of its first piece, ending
 * with {@code '\n'}; pieces whose end never came (the output stopped mid-line) are delivered without one when the
 * read ends, as json-file's partial entries are. Tail, since, until, the stream choice and follow work as for
 * json-file ({@link JsonFileLogReader}); tail counts the lines of the file, so a long line split into pieces
 * counts once per piece, as kubelet counts them.
 *
 * <p>Only the file at the path is read: kubelet rotates it by renaming, and the renamed files are kubelet's. A
 * follower notices the rotation (a new file at the path, once the log was reopened), reads the old file to its
 * end and goes on with the new one.
 */
public final class CriFileLogReader {
    /**
     * A line longer than this (joined from its pieces) is delivered in parts of about this size, so that a
     * container writing without newlines cannot make the reader hold everything in memory.
     */
    static final int MAX_JOINED = 1 << 20;

    private CriFileLogReader() {
    }

    /**
     * Delivers the lines of the CRI log at {@code file} that {@code q} asks for, in order; see
     * {@link JsonFileLogReader#read(Path, LogQuery, LogLineSink, BooleanSupplier)} for follow and the errors.
     */
    public static void read(Path file, LogQuery q, LogLineSink out, BooleanSupplier producing)
            throws IOException, InterruptedException {
        JsonFileLogReader.read(file, q, out, producing, new Decoder());
    }

    /** Parses the lines; holds each stream's pieces until their {@code F}. */
    static final class Decoder implements LineDecoder {
        private final ByteArrayOutputStream[] held = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
        private final Instant[] heldSince = new Instant[2];

        @Override
        public LogLine decode(byte[] a, int off, int len) {
            int end = off + len;
            int sp1 = indexOf(a, off, end, (byte) ' ');
            int sp2 = sp1 < 0 ? -1 : indexOf(a, sp1 + 1, end, (byte) ' ');
            int sp3 = sp2 < 0 ? -1 : indexOf(a, sp2 + 1, end, (byte) ' ');
            if (sp3 < 0) {
                return null; // torn or not a CRI line: skipped, as json-file skips a torn entry
            }
            Instant time;
            try {
                time = Instant.parse(new String(a, off, sp1 - off, StandardCharsets.US_ASCII));
            } catch (DateTimeParseException e) {
                return null;
            }
            String streamName = new String(a, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.US_ASCII);
            int stream;
            if (streamName.equals("stdout")) {
                stream = 1;
            } else if (streamName.equals("stderr")) {
                stream = 2;
            } else {
                return null;
            }
            // the tags are ':'-separated; the first says full or partial (kubelet's parser reads them so)
            boolean partial = sp3 > sp2 + 1 && a[sp2 + 1] == 'P'
                    && (sp3 == sp2 + 2 || a[sp2 + 2] == ':');
            int s = stream - 1;
            ByteArrayOutputStream h = held[s];
            if (h.size() == 0) {
                heldSince[s] = time;
            }
            h.write(a, sp3 + 1, end - sp3 - 1);
            if (partial) {
                return h.size() >= MAX_JOINED ? take(s, false) : null;
            }
            return take(s, true);
        }

        @Override
        public List<LogLine> rest() {
            List<LogLine> out = new ArrayList<>(2);
            for (int s = 0; s < 2; s++) {
                if (held[s].size() > 0) {
                    out.add(take(s, false));
                }
            }
            out.sort(Comparator.comparing(LogLine::time));
            return out;
        }

        @Override
        public List<Path> files(Path file) {
            return Files.exists(file) ? List.of(file) : List.of();
        }

        private LogLine take(int s, boolean newline) {
            if (newline) {
                held[s].write('\n');
            }
            LogLine line = new LogLine(s + 1, heldSince[s], held[s].toByteArray());
            held[s].reset();
            heldSince[s] = null;
            return line;
        }

        private static int indexOf(byte[] a, int from, int end, byte b) {
            for (int i = from; i < end; i++) {
                if (a[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }
}
