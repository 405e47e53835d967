package io.pouch.daemon.logs;

import io.pouch.api.PouchException;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How one line becomes one syslog message, as dockerd's syslog driver writes it: the default (the local-socket
 * form, no hostname), RFC 3164 and RFC 5424 (with the tag as app name and message id, as dockerd does), with
 * second or microsecond time stamps.
 */
public enum SyslogFormat {
    UNIX, RFC3164, RFC5424, RFC5424MICRO;

    /** Go's time.Stamp, "Jan _2 15:04:05" (the day padded with a space). */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX",
            Locale.ROOT);
    private static final DateTimeFormatter RFC3339_MICRO = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT);

    public static SyslogFormat parse(String name) {
        return switch (name) {
            case "" -> UNIX;
            case "rfc3164" -> RFC3164;
            case "rfc5424" -> RFC5424;
            case "rfc5424micro" -> RFC5424MICRO;
            default -> throw PouchException.invalidArgument("Invalid syslog format");
        };
    }

    /**
     * @param priority facility * 8 + severity
     * @return the message, newline-terminated (dockerd's library always ends a message with one, for every
     *         transport)
     */
    public String format(int priority, ZonedDateTime time, String hostname, String tag, long pid, String message) {
        return switch (this) {
            case UNIX -> "<" + priority + ">" + STAMP.format(time) + " " + tag + "[" + pid + "]: " + message + "\n";
            case RFC3164 -> "<" + priority + ">" + STAMP.format(time) + " " + hostname + " " + tag + "[" + pid + "]: "
                    + message + "\n";
            case RFC5424, RFC5424MICRO -> "<" + priority + ">1 "
                    + (this == RFC5424 ? RFC3339 : RFC3339_MICRO).format(time) + " " + hostname + " " + tag + " " + pid
                    + " " + tag + " - " + message + "\n";
        };
    }
}
