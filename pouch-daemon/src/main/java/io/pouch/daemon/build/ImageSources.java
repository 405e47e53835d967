package io.pouch.daemon.build;

import io.pouch.api.build.Globs;
import io.pouch.daemon.sys.ScopedPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The paths a {@code COPY --from} source names in the mounted root of a stage or image: a path, or a Go
 * filepath.Match pattern matched as the classic builder does (every path under the root whose path relative to it
 * matches, sorted). Everything is resolved inside the root as the container would see it: {@code ..} stops at its
 * {@code /} and a symlink, absolute or relative, is followed within it, so nothing outside the root is ever read.
 */
final class ImageSources {
    private ImageSources() {
    }

    static List<Path> resolve(Path root, String source, String instruction) throws IOException {
        String clean = Path.of("/").resolve(source).normalize().toString().substring(1);
        if (!Globs.hasWildcard(clean)) {
            Path p = ScopedPath.resolve(root, clean, true);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new DockerfileException(instruction + " failed: stat " + source + ": file does not exist");
            }
            return List.of(p);
        }
        Pattern pattern;
        try {
            pattern = Globs.compile(clean);
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(instruction + " " + source + ": " + e.getMessage());
        }
        // only the tree under the pattern's leading directories that have no wildcard can match
        String[] parts = clean.split("/");
        StringBuilder fixed = new StringBuilder();
        for (int i = 0; i < parts.length - 1 && !Globs.hasWildcard(parts[i]); i++) {
            fixed.append(fixed.isEmpty() ? "" : "/").append(parts[i]);
        }
        Path top = ScopedPath.resolve(root, fixed.toString(), true);
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
            List<String> matched = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(top)) {
                walk.forEach(p -> {
                    String rel = top.relativize(p).toString();
                    String name = fixed.isEmpty() ? rel : rel.isEmpty() ? fixed.toString() : fixed + "/" + rel;
                    if (!rel.isEmpty() && pattern.matcher(name).matches()) {
                        matched.add(name);
                    }
                });
            }
            matched.sort(null);
            for (String name : matched) {
                out.add(ScopedPath.resolve(root, name, true));
            }
        }
        if (out.isEmpty()) {
            throw new DockerfileException(instruction + " failed: no source files were specified (nothing in the "
                    + "source image matches " + source + ")");
        }
        return out;
    }
}
