package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.Wire.PeerRef;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Fetches one piece from a parent's piece server. */
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

    Result fetch(PeerRef parent, String blob, int index) throws InterruptedException {
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
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        try {
            // a whole-body deadline: the JDK client's own timeout stops at the response head
            HttpResponse<byte[]> r = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return switch (r.statusCode()) {
                case 200 -> new Result(r.body(), null, null);
                case 429 -> new Result(null, Failure.BUSY, "no free upload slot");
                case 404 -> new Result(null, Failure.MISSING, "piece not held");
                default -> new Result(null, Failure.ERROR, "status " + r.statusCode());
            };
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Result(null, Failure.ERROR, "no piece within " + timeout.toSeconds() + "s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof IOException io ? io : e.getCause();
            return new Result(null, Failure.ERROR, String.valueOf(c));
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }
}
