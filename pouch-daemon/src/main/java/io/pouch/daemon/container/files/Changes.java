package io.pouch.daemon.container.files;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code GET /containers/{id}/changes} from the overlay upper dir: a whiteout (char device 0/0) is a deletion (2),
 * a path that exists in a lower layer was changed (0), anything else was added (1). Opaque directories are shown
 * as changed, like dockerd's overlay driver does.
 */
public final class Changes {
    public record Change(@JsonProperty("Path") String path, @JsonProperty("Kind") int kind) {
    }

    private Changes() {
    }

    public static List<Change> of(Path upper, List<Path> lowers) throws IOException {
        List<Change> out = new ArrayList<>();
        if (upper == null || !Files.isDirectory(upper)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(upper)) {
            for (Path p : s.sorted().toList()) {
                if (p.equals(upper)) {
                    continue;
                }
                String rel = upper.relativize(p).toString();
                int kind;
                if (isWhiteout(p)) {
                    kind = 2;
                } else {
                    boolean inLower = false;
                    for (Path l : lowers) {
                        if (Files.exists(l.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
                            inLower = true;
                            break;
                        }
                    }
                    kind = inLower ? 0 : 1;
                }
                out.add(new Change("/" + rel, kind));
            }
        }
        return out;
    }

    static boolean isWhiteout(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0020000) {
            return false;
        }
        return ((Number) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue() == 0;
    }
}
