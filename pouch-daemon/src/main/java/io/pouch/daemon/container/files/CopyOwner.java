package io.pouch.daemon.container.files;

import io.pouch.daemon.container.UserSpec;
import io.pouch.daemon.sys.ScopedPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * {@code docker cp -a} ({@code copyUIDGID=true}): dockerd gives the copied files to the container's configured user
 * (root when none). dockerd looks the name up in the host's passwd file; here it is looked up in the container's own
 * {@code /etc/passwd} and {@code /etc/group}, read inside its root, which is what the name means to the container.
 */
public final class CopyOwner {
    private CopyOwner() {
    }

    public static Archive.Owner of(Path root, String user) {
        if (user == null || user.isEmpty()) {
            return new Archive.Owner(0, 0);
        }
        UserSpec u = UserSpec.resolve(user, read(root, "/etc/passwd"), read(root, "/etc/group"));
        return new Archive.Owner(u.uid(), u.gid());
    }

    private static String read(Path root, String path) {
        Path p = ScopedPath.resolve(root, path, true);
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.readString(p) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
