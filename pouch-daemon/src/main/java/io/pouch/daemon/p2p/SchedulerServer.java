package io.pouch.daemon.p2p;

import io.pouch.daemon.p2p.P2pHttpServer.Request;
import io.pouch.daemon.p2p.P2pHttpServer.Response;
import io.pouch.daemon.p2p.Wire.AnnounceRequest;
import io.pouch.daemon.p2p.Wire.LeaveRequest;
import io.pouch.daemon.p2p.Wire.ReportRequest;
import io.pouch.daemon.p2p.Wire.ScheduleRequest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The scheduler role over HTTP (embedded in pouchd with {@code --p2p-scheduler-listen}, or run by
 * {@link SchedulerMain}): its routes only translate the wire protocol to {@link Scheduler} calls; a timer retires
 * silent peers even when nobody asks; a reported peer's piece is fetched and hashed here before it is banned (with
 * the scheduler's own certificate or token, as any member).
 */
public final class SchedulerServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SchedulerServer.class.getName());

    private final Scheduler scheduler;
    private final P2pHttpServer http;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("p2p-scheduler-sweep").factory());

    private final HttpClient client;
    private final PieceClient pieces;
    private final ExecutorService verifiers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("p2p-verify-", 0).factory());
    private final Set<String> checking = ConcurrentHashMap.newKeySet();

    private SchedulerServer(String listen, P2pSecurity security, Scheduler scheduler) throws IOException {
        this.scheduler = scheduler;
        this.client = security.newClient(Duration.ofSeconds(3));
        this.pieces = new PieceClient(client, security, Duration.ofSeconds(30));
        this.http = P2pHttpServer.start("p2p-scheduler", listen, security, 0, this::handle);
        sweeper.scheduleWithFixedDelay(scheduler::sweep, 1, 1, TimeUnit.SECONDS);
        LOG.info("P2P scheduler listening on " + http.address() + (security.tls() ? " (mutual TLS)"
                : " (bearer token over plain HTTP)"));
    }

    /**
     * Starts a scheduler on {@code listen} (host:port, port 0 picks one) secured as the settings say (their TLS
     * files or token; the other fields are the peer's and are not used here).
     *
     * @throws IllegalArgumentException the security settings are incomplete, contradictory or unreadable
     * @throws IOException              the address cannot be bound
     */
    public static SchedulerServer start(String listen, P2pSettings settings) throws IOException {
        return start(listen, P2pSecurity.of(settings));
    }

    public static SchedulerServer start(String listen, P2pSecurity security) throws IOException {
        return new SchedulerServer(listen, security, new Scheduler(Scheduler.Policy.defaults()));
    }

    static SchedulerServer start(String listen, P2pSecurity security, Scheduler.Policy policy) throws IOException {
        return new SchedulerServer(listen, security, new Scheduler(policy));
    }

    public InetSocketAddress address() {
        return http.address();
    }

    Scheduler scheduler() {
        return scheduler;
    }

    private Response handle(Request r) throws InterruptedException {
        if (!r.method().equals("POST")) {
            return Response.text(405, "the scheduler takes POST only");
        }
        return switch (r.path()) {
            case Wire.SCHEDULE -> Response.json(scheduler.schedule(r.json(ScheduleRequest.class)));
            case Wire.ANNOUNCE -> {
                scheduler.announce(r.json(AnnounceRequest.class));
                yield Response.status(204);
            }
            case Wire.REPORT -> {
                scheduler.report(r.json(ReportRequest.class)).ifPresent(this::verify);
                yield Response.status(204);
            }
            case Wire.LEAVE -> {
                scheduler.leave(r.json(LeaveRequest.class).peer());
                yield Response.status(204);
            }
            default -> Response.text(404, "no scheduler route " + r.path());
        };
    }

    /**
     * Fetches the suspect's piece itself and hashes it: only a confirmed mismatch bans (a member's report alone
     * could otherwise ban any peer). One check per suspect at a time; a busy suspect is asked a few times.
     */
    private void verify(Scheduler.Suspect s) {
        if (!checking.add(s.peer().id())) {
            return;
        }
        verifiers.execute(() -> {
            try {
                Scheduler.Verdict v = Scheduler.Verdict.UNSERVED;
                for (int attempt = 1; attempt <= 3; attempt++) {
                    PieceClient.Result r = pieces.fetch(s.peer(), s.blob(), s.index(), s.length());
                    if (r.data() != null) {
                        v = Digests.sha256(r.data()).equals(s.digest()) ? Scheduler.Verdict.MATCH
                                : Scheduler.Verdict.MISMATCH;
                        break;
                    }
                    if (r.failure() != PieceClient.Failure.BUSY) {
                        break;
                    }
                    Thread.sleep(200L * attempt);
                }
                scheduler.verdict(s, v);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                checking.remove(s.peer().id());
            }
        });
    }

    @Override
    public void close() {
        verifiers.shutdownNow();
        http.close();
        client.shutdownNow();
    }
}
