package io.pouch.daemon.build;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BuildProgressTest {
    /** Each write the HTTP stream gets becomes one chunk: docker-py decodes every chunk as one JSON message. */
    private static final class Writes extends OutputStream {
        final List<String> chunks = new ArrayList<>();

        @Override
        public void write(int b) {
            chunks.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            chunks.add(new String(b, off, len, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aPullsProgressReachesTheStreamAWholeLinePerWrite() throws IOException {
        Writes http = new Writes();
        BuildProgress progress = new BuildProgress(http, false);
        try (OutputStream pull = progress.pullOutput()) {
            pull.write("{\"status\":\"Pulling from x\",".getBytes(StandardCharsets.UTF_8));
            pull.write("\"id\":\"latest\"}\r\n{\"status\":\"Dig".getBytes(StandardCharsets.UTF_8));
            pull.write("est: sha256:1\"}".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of("{\"status\":\"Pulling from x\",\"id\":\"latest\"}\r\n", "{\"status\":\"Digest: sha256:1\"}"),
                http.chunks);
    }

    @Test
    void aQuietBuildDropsThePullsProgress() throws IOException {
        ByteArrayOutputStream http = new ByteArrayOutputStream();
        try (OutputStream pull = new BuildProgress(http, true).pullOutput()) {
            pull.write("{\"status\":\"Pulling from x\"}\r\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(0, http.size());
    }
}
