package io.pouch.daemon.cri.image;

import io.pouch.daemon.image.PullService;
import io.pouch.daemon.registry.Credentials;

import java.io.IOException;

/** What the CRI's {@code PullImage} asks of the engine: one image pulled with the given credentials. */
@FunctionalInterface
public interface ImagePulls {
    /**
     * Pulls {@code image} (a reference; {@code :latest} when it names neither tag nor digest) for linux/amd64 and
     * answers its id ({@code sha256:} of its config).
     */
    String pull(String image, Credentials creds) throws IOException;

    /** Pulls through the daemon's puller (the one the Engine API's pulls use, so downloads are shared). */
    static ImagePulls over(PullService puller) {
        return (image, creds) -> {
            PullService.Plan plan = puller.resolve(image, null, null, creds);
            puller.pull(plan);
            return plan.configDigest();
        };
    }
}
