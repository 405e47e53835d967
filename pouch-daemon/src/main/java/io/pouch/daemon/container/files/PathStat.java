package io.pouch.daemon.container.files;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pouch.api.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;

/** {@code X-Docker-Container-Path-Stat}: Go's os.FileMode bits (dir 1<<31, symlink 1<<27) plus permissions. */
public record PathStat(@JsonProperty("name") String name, @JsonProperty("size") long size,
                       @JsonProperty("mode") long mode, @JsonProperty("mtime") String mtime,
                       @JsonProperty("linkTarget") String linkTarget) {
    static final long MODE_DIR = 1L << 31;
    static final long MODE_SYMLINK = 1L << 27;

    static PathStat of(Path p, String name, String linkTarget) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long mode = permBits(a);
        if (a.isDirectory()) {
            mode |= MODE_DIR;
        } else if (a.isSymbolicLink()) {
            mode |= MODE_SYMLINK;
        }
        return new PathStat(name, a.size(), mode, a.lastModifiedTime().toInstant().toString(), linkTarget);
    }

    static int permBits(PosixFileAttributes a) {
        int m = 0;
        for (PosixFilePermission perm : a.permissions()) {
            m |= 1 << (8 - perm.ordinal());
        }
        return m;
    }

    String header() {
        try {
            return Base64.getEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
