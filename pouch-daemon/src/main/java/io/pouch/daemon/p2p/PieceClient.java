package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.PeerRef;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches one piece from a parent's piece server, straight into one array of the piece's length (the JDK's byte-array
 * body handler would gather buffers and copy them: twice the heap per piece in flight), within a deadline for the
 * whole piece.
 */
final class PieceClient {
    /** Why a parent did not serve a piece: busy and missing are worth asking the scheduler again. */
    enum Failure { BUSY, MISSING, ERROR }

    /** A parent's answer: the bytes, or why not. */
    record Result(byte[] data, Failure failure, String detail) {
    }

    private final HttpClient http;
    private final P2pSecurity security;
    private final Duration timeout;

    PieceClient(HttpClient http, P2pSecurity security, Duration timeout) {
        this.http = http;
        this.security = security;
        this.timeout = timeout;
    }

    /** @param length the piece's length by the blob's layout: a parent sending another length failed */
    Result fetch(PeerRef parent, String blob, int index, int length) throws InterruptedException {
        URI uri;
        try {
            uri = URI.create(security.scheme() + "://" + HostPort.parse(parent.address()) + Wire.PIECES + blob
                    + "/pieces/" + index);
        } catch (IllegalArgumentException e) {
            return new Result(null, Failure.ERROR, "bad parent address " + parent.address());
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (security.authorization() != null) {
            b.header("Authorization", security.authorization());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(b.build(),
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> r;
        try {
            r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Result(null, Failure.ERROR, "no answer within " + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            return new Result(null, Failure.ERROR, String.valueOf(e.getCause()));
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
        InputStream in = r.body();
        // the JDK client has no deadline for a body: this closes the stream when the piece is late
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                in.close();
            } catch (InterruptedException | IOException ignored) {
                // the piece arrived in time
            }
        });
        try (in) {
            return switch (r.statusCode()) {
                case 200 -> body(in, length);
                case 429 -> new Result(null, Failure.BUSY, "no free upload slot");
                case 404 -> new Result(null, Failure.MISSING, "piece not held");
                default -> new Result(null, Failure.ERROR, "status " + r.statusCode());
            };
        } catch (IOException e) {
            return new Result(null, Failure.ERROR, System.nanoTime() - deadline > 0
                    ? "piece not complete within " + timeout.toSeconds() + "s" : String.valueOf(e));
        } finally {
            watchdog.interrupt();
        }
    }

    private static Result body(InputStream in, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            return new Result(null, Failure.ERROR, "piece ended after " + data.length + " of " + length + " bytes");
        }
        if (in.read() >= 0) {
            return new Result(null, Failure.ERROR, "piece longer than " + length + " bytes");
        }
        return new Result(data, null, null);
    }
}
