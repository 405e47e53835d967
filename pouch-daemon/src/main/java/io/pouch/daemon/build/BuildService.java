package io.pouch.daemon.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The image builder as the {@code /build} routes use it. */
public interface BuildService {
    /**
     * Reads the context and the Dockerfile and checks the request: everything that is refused before the answer
     * starts (a bad parameter, a Dockerfile that does not parse, a context over the limit) is thrown here.
     */
    PreparedBuild prepare(BuildRequest request, InputStream context) throws IOException;

    /** Runs the build; its steps and its outcome, error included, are written to {@code progress}. */
    void build(PreparedBuild build, BuildProgress progress);

    /** {@code POST /build/prune}: dockerd's answer ({@code CachesDeleted}, {@code SpaceReclaimed}). */
    Map<String, Object> prune();
}
