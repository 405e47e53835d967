package io.pouch.daemon.cri.streaming;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The terminal size changes of one session. Sizes that arrive before the runtime subscribes are kept and handed
 * over on {@link #listen}: a client sends its initial size right away, usually before the process exists.
 */
public final class TerminalResizes {
    private final List<TerminalSize> pending = new ArrayList<>();
    private Consumer<TerminalSize> listener;

    /** Delivers every size received so far, then each new one, to {@code listener} (on the reading thread). */
    public void listen(Consumer<TerminalSize> listener) {
        List<TerminalSize> earlier;
        synchronized (this) {
            this.listener = listener;
            earlier = List.copyOf(pending);
            pending.clear();
        }
        earlier.forEach(listener);
    }

    void deliver(TerminalSize size) {
        Consumer<TerminalSize> l;
        synchronized (this) {
            l = listener;
            if (l == null) {
                pending.add(size);
                return;
            }
        }
        l.accept(size);
    }
}
