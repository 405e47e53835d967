package io.pouch.daemon.build;

import io.pouch.api.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON message stream dockerd's classic builder writes ({@code {"stream":"Step 1/2 : FROM busybox\n"}},
 * {@code {"aux":{"ID":"sha256:..."}}}, {@code {"errorDetail":{...},"error":...}}), one object per line as the
 * docker CLI's jsonmessage decoder reads it. With {@code quiet} only the aux, the image id and the error are
 * written. A client that went away is remembered, not thrown at the builder.
 */
public final class BuildProgress {
    private final OutputStream out;
    private final boolean quiet;
    private volatile boolean broken;

    public BuildProgress(OutputStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** Builder text ({@code Step 1/3 : ...}, {@code  ---> 1a2b3c}); written as is, the caller ends lines. */
    public void stream(String text) {
        if (!quiet) {
            write(Map.of("stream", text));
        }
    }

    /** What a RUN step's process printed. */
    public void output(byte[] data, int offset, int length) {
        stream(new String(data, offset, length, StandardCharsets.UTF_8));
    }

    /**
     * Where a base image's pull writes its progress lines ({@code {"status":"Pulling from ...","id":...}}), passed
     * on as dockerd's builder does; dropped for a quiet build.
     */
    public OutputStream pullOutput() {
        return quiet ? OutputStream.nullOutputStream() : new WholeLines();
    }

    public void imageId(String id) {
        write(Map.of("aux", Map.of("ID", id)));
        if (quiet) {
            // as dockerd: a quiet build's only text is the image id, which the CLI prints
            write(Map.of("stream", id + "\n"));
        }
    }

    public void error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("errorDetail", Map.of("message", message));
        m.put("error", message);
        write(m);
    }

    public boolean broken() {
        return broken;
    }

    private synchronized void writeLine(byte[] line) {
        if (broken) {
            return;
        }
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }

    /**
     * The pull's progress, passed on a whole line per write, so one HTTP chunk per message as for the builder's
     * own lines; a line the pull leaves unfinished goes out when it closes.
     */
    private final class WholeLines extends OutputStream {
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        @Override
        public void write(int b) {
            pending.write(b);
            if (b == '\n') {
                writeLine(pending.toByteArray());
                pending.reset();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void close() {
            if (pending.size() > 0) {
                writeLine(pending.toByteArray());
                pending.reset();
            }
        }
    }

    private synchronized void write(Map<String, Object> m) {
        if (broken) {
            return;
        }
        try {
            // one write, so one HTTP chunk per message: docker-compose (docker-py) decodes each chunk as JSON
            byte[] json = Json.MAPPER.writeValueAsBytes(m);
            byte[] line = Arrays.copyOf(json, json.length + 2);
            line[json.length] = '\r';
            line[json.length + 1] = '\n';
            out.write(line);
            out.flush();
        } catch (IOException e) {
            broken = true;
        }
    }
}
