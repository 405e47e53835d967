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
        String path = "/containers/" + PouchClient.escape(id);
        HijackedConnection conn = client.hijack(path + "/attach",
                Query.of("stream", true, "stdin", stdin ? Boolean.TRUE : null, "stdout", true, "stderr", true), null);
        StreamResponse wait;
        try {
            wait = client.stream("POST", path + "/wait", Query.of("condition", waitCondition), null);
        } catch (RuntimeException e) {
            conn.close();
            throw e;
        }
        Terminal terminal = tty && stdin ? Terminal.makeRaw() : Terminal.NONE;
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
                Thread pump = new Thread(() -> pumpStdin(System.in, conn), "stdin");
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

    private static void pumpStdin(InputStream in, HijackedConnection conn) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                conn.output().write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // stdin or the connection broke: either way, stdin is over
        } finally {
            conn.closeWrite();
        }
    }
}
