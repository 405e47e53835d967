package io.pouch.daemon.build;

import java.util.List;
import java.util.Map;

/**
 * One Dockerfile instruction as parsed, before any variable is expanded.
 *
 * @param keyword  lower case ({@code run}, {@code copy})
 * @param flags    the {@code --name=value} flags before the arguments ({@code --from}, {@code --chown})
 * @param args     the arguments: for the JSON form the array's strings; for the shell form of RUN/CMD/ENTRYPOINT
 *                 the one command line; otherwise the words (quotes kept, for the expansion)
 * @param json     whether the arguments were a JSON array
 * @param original the instruction's text as written (continuations joined), for the progress stream and history
 * @param line     the 1-based line the instruction starts on
 */
public record Instruction(String keyword, Map<String, String> flags, List<String> args, boolean json,
                          String original, int line) {
    public Instruction {
        flags = Map.copyOf(flags);
        args = List.copyOf(args);
    }
}
