package io.pouch.daemon.p2p;

import io.pouch.api.Json;
import io.pouch.daemon.p2p.Wire.AnnounceRequest;
import io.pouch.daemon.p2p.Wire.LeaveRequest;
import io.pouch.daemon.p2p.Wire.PeerRef;
import io.pouch.daemon.p2p.Wire.ReportRequest;
import io.pouch.daemon.p2p.Wire.ScheduleRequest;
import io.pouch.daemon.p2p.Wire.ScheduleResponse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A peer's calls to the scheduler. Any failure is an IOException: the caller then does without the scheduler. After
 * the scheduler could not be connected to, calls fail at once for {@link #BACK_OFF}, so the pulls that start
 * meanwhile go to the registry without each waiting for a connect timeout.
 */
final class SchedulerClient {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    static final Duration BACK_OFF = Duration.ofSeconds(5);

    private final HttpClient http;
    private final P2pSecurity security;
    private final URI base;
    private final PeerRef self;
    private volatile long unreachableUntil = System.nanoTime();

    SchedulerClient(HttpClient http, P2pSecurity security, String scheduler, PeerRef self) {
        this.http = http;
        this.security = security;
        this.base = URI.create(security.scheme() + "://" + HostPort.parse(scheduler) + "/");
        this.self = self;
    }

    ScheduleResponse schedule(String blob, PieceLayout layout, List<Integer> have, List<Integer> fetching,
                              long waitMs, int want) throws IOException, InterruptedException {
        byte[] body = post(Wire.SCHEDULE, new ScheduleRequest(self, blob, layout.size(), layout.pieceSize(), have,
                fetching, waitMs, want, false), CALL_TIMEOUT.plusMillis(waitMs));
        return Json.MAPPER.readValue(body, ScheduleResponse.class);
    }

    /** Tells the scheduler this peer gave the blob up, so what it was fetching goes to others at once. */
    void stop(String blob, PieceLayout layout, List<Integer> have) throws IOException, InterruptedException {
        post(Wire.SCHEDULE, new ScheduleRequest(self, blob, layout.size(), layout.pieceSize(), have, List.of(), 0, 0,
                true), CALL_TIMEOUT);
    }

    void announce(String blob, PieceLayout layout, Map<Integer, String> pieces)
            throws IOException, InterruptedException {
        Map<String, String> byIndex = new TreeMap<>();
        pieces.forEach((i, d) -> byIndex.put(Integer.toString(i), d));
        post(Wire.ANNOUNCE, new AnnounceRequest(self, blob, layout.size(), layout.pieceSize(), byIndex), CALL_TIMEOUT);
    }

    void report(PeerRef bad, String blob, int index, String reason) throws IOException, InterruptedException {
        post(Wire.REPORT, new ReportRequest(self, bad, blob, index, reason), CALL_TIMEOUT);
    }

    void leave() throws IOException, InterruptedException {
        post(Wire.LEAVE, new LeaveRequest(self), CALL_TIMEOUT);
    }

    private byte[] post(String path, Object body, Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path.substring(1))).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        if (security.authorization() != null) {
            b.header("Authorization", security.authorization());
        }
        if (System.nanoTime() - unreachableUntil < 0) {
            throw new ConnectException("scheduler " + base.getAuthority() + " unreachable a moment ago");
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            unreachableUntil = System.nanoTime() + BACK_OFF.toNanos();
            throw e;
        }
        if (r.statusCode() / 100 != 2) {
            throw new IOException("scheduler answered " + r.statusCode() + " to " + path + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8).strip());
        }
        return r.body();
    }
}
