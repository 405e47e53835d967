package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.cli.Query;
import io.pouch.client.HijackedConnection;
import io.pouch.client.PouchClient;
import io.pouch.client.PouchClientException;
import io.pouch.client.StdCopy;
import io.pouch.client.StreamResponse;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The attached part of {@code run}, {@code start -a} and {@code attach}, in docker's order: hijack the attach
 * stream, open the wait (its headers must be in before start, or a fast container's exit is missed), start,
 * pump stdin (then half-close) and output, and return the exit code from the wait.
 */
final class Attach {
    private Attach() {
    }

    /** A start that the daemon refused; carries the exit code docker gives it (125, or 126/127 for exec errors). */
    static final class StartFailed extends RuntimeException {
        final int exitCode;

        StartFailed(PouchClientException cause) {
            super(cause.getMessage(), cause);
            this.exitCode = startErrorExitCode(cause.getMessage());
        }
    }

    /** docker's runStartContainerErr: 127 for a missing executable, 126 for one that cannot run, else 125. */
    static int startErrorExitCode(String message) {
        if (message.contains("executable file not found") || message.contains("no such file or directory")
                || message.contains("system error: exec")) {
            return 127;
        }
        if (message.contains("permission denied") || message.contains("is a directory")) {
            return 126;
        }
        return 125;
    }

    static int run(PouchClient client, String id, boolean tty, boolean stdin, String waitCondition, boolean start,
                   PrintWriter err) throws IOException {
        return run(client, id, tty, new Streams(stdin, true, true, null), waitCondition, start, err);
    }

    /**
     * The streams to attach and the detach key sequence ({@code null}: docker's ctrl-p,ctrl-q), as run's
     * {@code -a} and {@code --detach-keys} choose them.
     */
    record Streams(boolean stdin, boolean stdout, boolean stderr, String detachKeys) {
    }

    static int run(PouchClient client, String id, boolean tty, Streams streams, String waitCondition, boolean start,
                   PrintWriter err) throws IOException {
        boolean stdin = streams.stdin();
        byte[] detachKeys = DetachKeys.parse(streams.detachKeys());
        String path = "/containers/" + PouchClient.escape(id);
        HijackedConnection conn = client.hijack(path + "/attach",
                Query.of("stream", true, "stdin", stdin ? Boolean.TRUE : null, "stdout", streams.stdout() ? true : null,
                        "stderr", streams.stderr() ? true : null, "detachKeys", streams.detachKeys()), null);
        StreamResponse wait;
        try {
            wait = client.stream("POST", path + "/wait", Query.of("condition", waitCondition), null);
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
        Terminal terminal = tty && stdin ? Terminal.makeRaw() : Terminal.NONE;
        AtomicBoolean detached = new AtomicBoolean();
        try {
            if (start) {
                try {
                    client.post(path + "/start", null, null);
                } catch (PouchClientException e) {
                    conn.close();
                    wait.close();
                    if (e.isTransportFailure()) {
                        throw e;
                    }
                    throw new StartFailed(e);
                }
            }
            if (tty) {
                terminal.size().ifPresent(hw -> resize(client, path, hw));
            }
            if (stdin) {
                Thread pump = new Thread(() -> pumpStdin(System.in, conn, detachKeys, detached), "stdin");
                pump.setDaemon(true);
                pump.start();
            } else {
                conn.closeWrite(); // nothing to send: tell the daemon right away, as docker does
            }
            OutputStream out = new FileOutputStream(FileDescriptor.out);
            OutputStream errOut = new FileOutputStream(FileDescriptor.err);
            try {
                if (tty) {
                    conn.input().transferTo(out);
                } else {
                    StdCopy.demux(conn.input(), out, errOut);
                }
            } catch (IOException e) {
                // the stream broke (daemon gone or container killed): the wait result still says what happened
            } finally {
                conn.close();
            }
        } finally {
            terminal.restore();
        }
        if (detached.get()) {
            wait.close(); // the container runs on; docker returns at once, and with 0
            return 0;
        }
        try (wait) {
            JsonNode result = Json.MAPPER.readTree(wait.body());
            if (result == null) {
                throw new PouchClientException(0, "the daemon closed the wait stream without a result");
            }
            JsonNode error = result.path("Error");
            if (error.hasNonNull("Message") && !error.get("Message").asText().isEmpty()) {
                err.println("Error: " + error.get("Message").asText());
                err.flush();
            }
            return result.path("StatusCode").asInt(125);
        }
    }

    private static void resize(PouchClient client, String path, int[] hw) {
        try {
            client.post(path + "/resize", Query.of("h", hw[0], "w", hw[1]), null);
        } catch (RuntimeException ignored) {
            // docker ignores resize failures too: the size is cosmetic
        }
    }

    /**
     * Copies stdin to the container until it ends, or until the detach sequence is typed: then (as the docker CLI
     * does on its side of the connection) the sequence is not sent, {@code detached} is set and the connection
     * closed. Bytes that only begin the sequence are held back until it is clear they are not it.
     */
    static void pumpStdin(InputStream in, HijackedConnection conn, byte[] keys, AtomicBoolean detached) {
        byte[] buf = new byte[8192];
        DetachKeys.Filter filter = new DetachKeys.Filter(keys);
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                conn.output().write(filter.feed(buf, n));
                conn.output().flush();
                if (filter.detached()) {
                    detached.set(true);
                    conn.close();
                    return;
                }
            }
        } catch (IOException ignored) {
            // stdin or the connection broke: either way, stdin is over
        } finally {
            if (!detached.get()) {
                conn.closeWrite();
            }
        }
    }
}
