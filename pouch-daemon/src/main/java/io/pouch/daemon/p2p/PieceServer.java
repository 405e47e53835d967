package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.P2pHttpServer.Request;
import io.pouch.daemon.p2p.P2pHttpServer.Response;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves the pieces of this peer's spools: {@code GET /p2p/v1/blobs/<digest>/pieces/<index>} answers the verified
 * bytes with their digest, 404 for a piece not held, 429 when every upload slot is taken. A slot is held until the
 * piece is written out (under the upload rate limit that can be a while), so slots bound concurrent uploads.
 */
final class PieceServer implements AutoCloseable {
    private static final Pattern PIECE = Pattern.compile("/p2p/v1/blobs/(sha256:[0-9a-f]{64})/pieces/(\\d{1,9})");

    private final PieceStore store;
    private final Semaphore slots;
    private final P2pHttpServer http;

    PieceServer(String listen, P2pSecurity security, long uploadRateLimit, int uploadSlots, PieceStore store)
            throws IOException {
        this.store = store;
        this.slots = new Semaphore(uploadSlots);
        this.http = P2pHttpServer.start("p2p-pieces", listen, security, uploadRateLimit, this::handle);
    }

    InetSocketAddress address() {
        return http.address();
    }

    private Response handle(Request r) throws IOException {
        Matcher m = PIECE.matcher(r.path());
        if (!m.matches()) {
            return Response.text(404, "no piece route " + r.path());
        }
        if (!r.method().equals("GET")) {
            return Response.text(405, "pieces are read with GET");
        }
        PieceStore.Spool spool = store.find(m.group(1));
        int index = Integer.parseInt(m.group(2));
        if (spool == null || !spool.has(index)) {
            return Response.text(404, "piece " + index + " of " + m.group(1) + " is not held here");
        }
        if (!slots.tryAcquire()) {
            return Response.text(429, "no free upload slot");
        }
        boolean handedOver = false;
        try {
            byte[] data;
            try {
                data = spool.read(index);
            } catch (IOException e) {
                data = null; // evicted while we read
            }
            if (data == null) {
                return Response.text(404, "piece " + index + " of " + m.group(1) + " is not held here");
            }
            handedOver = true;
            return new Response(200, Map.of("Content-Type", "application/octet-stream",
                    Wire.DIGEST_HEADER, spool.digestOf(index)), data, slots::release);
        } finally {
            if (!handedOver) {
                slots.release();
            }
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
