package io.pouch.daemon.cri.streaming;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The client's side of an exec or attach session, as the runtime sees it.
 *
 * @param stdin   the client's input; end of stream once the client closes its stdin; null when not requested
 * @param stdout  the process's output; null when not requested
 * @param stderr  the process's error output; null when not requested and always null with a TTY (a terminal has
 *                one output stream)
 * @param tty     whether the client asked for a terminal
 * @param resizes the client's terminal size changes (only ever sent with a TTY)
 */
public record StreamIo(InputStream stdin, OutputStream stdout, OutputStream stderr, boolean tty,
                       TerminalResizes resizes) {
}
