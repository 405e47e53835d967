package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;

import java.time.Instant;

/**
 * What {@code GET /containers/{id}/logs} asks for.
 *
 * @param since  null = from the beginning; entries before it are skipped
 * @param until  null = no end; reading stops at the first entry after it
 * @param tail   the last N lines of the whole (rotated) log, counted before the other filters as Docker does;
 *               -1 = all
 */
public record LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow,
                       boolean timestamps, boolean details) {

    public static final LogQuery ALL = new LogQuery(true, true, null, null, -1, false, false);

    public LogQuery(boolean stdout, boolean stderr, Instant since, Instant until, int tail, boolean follow,
                    boolean timestamps) {
        this(stdout, stderr, since, until, tail, follow, timestamps, false);
    }

    /**
     * Parses the query of a logs request: {@code stdout, stderr, since, until} (unix seconds with optional
     * fraction, or RFC3339), {@code tail} ("all" or N; anything unparsable or negative means all, as dockerd),
     * {@code follow, timestamps, details}.
     *
     * @throws PouchException 400 "Bad parameters: you must choose at least one stream" when neither stream is
     *                        asked for, 400 for an unreadable time
     */
    public static LogQuery from(HttpExchange ex) {
        boolean stdout = ex.queryBool("stdout", false);
        boolean stderr = ex.queryBool("stderr", false);
        if (!stdout && !stderr) {
            throw PouchException.invalidArgument("Bad parameters: you must choose at least one stream");
        }
        Instant since = LogTimes.parseQueryTime("since", ex.query("since"));
        Instant until = LogTimes.parseQueryTime("until", ex.query("until"));
        return new LogQuery(stdout, stderr, since, until, parseTail(ex.query("tail")),
                ex.queryBool("follow", false), ex.queryBool("timestamps", false), ex.queryBool("details", false));
    }

    public static int parseTail(String tail) {
        if (tail == null || tail.isEmpty() || tail.equals("all")) {
            return -1;
        }
        try {
            return Math.max(-1, Integer.parseInt(tail.trim()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public boolean wants(int stream) {
        return stream == 2 ? stderr : stdout;
    }
}
