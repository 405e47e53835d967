package io.pouch.cli.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Raw mode for {@code -it}, done with {@code stty} on /dev/tty: the JDK has no termios API, and this keeps the
 * CLI free of native code. Only used when stdin and stdout are a terminal.
 */
class Terminal {
    static final Terminal NONE = new Terminal(null);

    private final String saved;

    private Terminal(String saved) {
        this.saved = saved;
    }

    static Terminal makeRaw() {
        var console = System.console();
        if (console == null || !console.isTerminal()) {
            return NONE;
        }
        try {
            String state = stty("-g").strip();
            stty("raw", "-echo");
            return new Terminal(state);
        } catch (IOException | InterruptedException e) {
            return NONE;
        }
    }

    /** {rows, columns} of the terminal, if there is one. */
    Optional<int[]> size() {
        if (this == NONE) {
            return Optional.empty();
        }
        try {
            String[] parts = stty("size").strip().split("\\s+");
            return Optional.of(new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
        } catch (IOException | InterruptedException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void restore() {
        if (saved != null) {
            try {
                stty(saved);
            } catch (IOException | InterruptedException ignored) {
                // nothing better to do: the shell's `reset` fixes it
            }
        }
    }

    private static String stty(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
