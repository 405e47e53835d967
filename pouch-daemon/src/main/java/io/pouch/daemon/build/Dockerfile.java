package io.pouch.daemon.build;

import java.util.List;

/**
 * A parsed Dockerfile.
 *
 * @param metaArgs     the ARG instructions before the first FROM (usable in FROM lines)
 * @param instructions the rest, from the first FROM on
 * @param escape       the escape character (the {@code escape} directive; backslash by default)
 */
public record Dockerfile(List<Instruction> metaArgs, List<Instruction> instructions, char escape) {
    public Dockerfile {
        metaArgs = List.copyOf(metaArgs);
        instructions = List.copyOf(instructions);
    }
}
