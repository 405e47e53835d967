package io.pouch.daemon;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pouch's {@code --oom-score-adj}: how readily the kernel's OOM killer picks pouchd itself. */
final class OwnOomScore {
    private static final Path SELF = Path.of("/proc/self/oom_score_adj");

    private OwnOomScore() {
    }

    /** @throws PouchException when the kernel refuses it (a negative score needs CAP_SYS_RESOURCE) */
    static void write(int score) {
        try {
            Files.writeString(SELF, Integer.toString(score));
        } catch (IOException e) {
            throw PouchException.invalidArgument("cannot set pouchd's oom-score-adj to " + score + ": " + e.getMessage()
                    + (score < 0 ? " (a negative score needs CAP_SYS_RESOURCE)" : ""));
        }
    }
}
