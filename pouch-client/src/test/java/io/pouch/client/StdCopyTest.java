package io.pouch.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StdCopyTest {
    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void splitsStdoutAndStderr() throws IOException {
        byte[] wire = concat(StdCopy.frame(1, b("out1\n")), StdCopy.frame(2, b("err\n")), StdCopy.frame(1, b("out2\n")),
                StdCopy.frame(1, new byte[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(14, StdCopy.demux(new ByteArrayInputStream(wire), out, err));
        assertEquals("out1\nout2\n", out.toString(StandardCharsets.UTF_8));
        assertEquals("err\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void handlesFramesSplitAcrossReads() throws IOException {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'x');
        byte[] wire = concat(StdCopy.frame(2, big), StdCopy.frame(1, b("end")));
        InputStream trickle = new ByteArrayInputStream(wire) {
            @Override
            public synchronized int read(byte[] buf, int off, int len) {
                return super.read(buf, off, Math.min(len, 3)); // the network hands out tiny pieces
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        StdCopy.demux(trickle, out, err);
        assertEquals(100_000, err.size());
        assertEquals("end", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void truncatedFramesAndSystemErrorsFail() {
        byte[] frame = StdCopy.frame(1, b("hello"));
        byte[] cut = Arrays.copyOf(frame, frame.length - 2);
        var sink = OutputStreamSink.INSTANCE;
        assertThrows(EOFException.class, () -> StdCopy.demux(new ByteArrayInputStream(cut), sink, sink));
        assertThrows(EOFException.class, () -> StdCopy.demux(new ByteArrayInputStream(new byte[]{1, 0, 0}), sink, sink));
        PouchClientException e = assertThrows(PouchClientException.class, () -> StdCopy.demux(
                new ByteArrayInputStream(StdCopy.frame(3, b("boom"))), sink, sink));
        assertEquals("boom", e.getMessage());
        assertThrows(IOException.class, () -> StdCopy.demux(new ByteArrayInputStream(StdCopy.frame(7, b("?"))), sink, sink));
    }

    private static final class OutputStreamSink extends OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }
    }
}
