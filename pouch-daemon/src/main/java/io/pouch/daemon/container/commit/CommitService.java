package io.pouch.daemon.container.commit;

import java.io.IOException;

/** {@code docker commit}: what the commit route asks of the committer. */
public interface CommitService {
    /** Makes a new image of the container's changes on top of its image; returns the new image id. */
    String commit(CommitRequest request) throws IOException;
}
