package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.util.Locale;
import java.util.Map;

/** Signal names and numbers on Linux x86-64, as {@code docker kill --signal} and {@code StopSignal} accept them. */
public final class Signals {
    private static final Map<String, Integer> BY_NAME = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31), Map.entry("RTMIN", 34), Map.entry("RTMAX", 64));

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    private Signals() {
    }

    /** {@code KILL}, {@code SIGKILL}, {@code sigusr1}, {@code 9}, {@code RTMIN+3}; empty means SIGKILL. */
    public static int parse(String text) {
        if (text == null || text.isBlank()) {
            return SIGKILL;
        }
        String s = text.trim().toUpperCase(Locale.ROOT);
        try {
            int n = Integer.parseInt(s);
            if (n <= 0 || n > 64) {
                throw PouchException.invalidArgument("Invalid signal: " + text);
            }
            return n;
        } catch (NumberFormatException ignored) {
            // a name
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        int plus = s.indexOf('+');
        int minus = s.indexOf('-');
        try {
            if (s.startsWith("RTMIN+") && plus > 0) {
                int n = 34 + Integer.parseInt(s.substring(plus + 1));
                if (n <= 64) {
                    return n;
                }
            } else if (s.startsWith("RTMAX-") && minus > 0) {
                int n = 64 - Integer.parseInt(s.substring(minus + 1));
                if (n >= 34) {
                    return n;
                }
            }
        } catch (NumberFormatException ignored) {
            // falls through to the error
        }
        Integer n = BY_NAME.get(s);
        if (n == null) {
            throw PouchException.invalidArgument("Invalid signal: " + text);
        }
        return n;
    }
}
