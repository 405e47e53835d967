package io.pouch.daemon.build;

import io.pouch.api.PouchException;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.image.PullService;
import io.pouch.daemon.image.Reference;
import io.pouch.daemon.registry.Credentials;

import java.io.IOException;
import java.io.OutputStream;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The images a build starts from ({@code FROM}) or copies from ({@code COPY --from}), as dockerd's classic builder
 * gets them: the local image, pulled when absent, or pulled first whatever is local with {@code pull=1}; the pull
 * uses the credentials the client sent for that registry and writes its progress into the build's stream.
 */
final class BaseImages {
    /** An image id, full or short: looked up only, never a name to pull (dockerd refuses to pull those too). */
    private static final Pattern ID = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");

    private final ImageLookup images;
    private final PullService puller;
    private final boolean forcePull;
    private final Map<String, Credentials> auth;
    private final BuildProgress progress;
    /** With {@code pull=1} each name is pulled once per build, not again for each stage or COPY naming it. */
    private final Set<String> pulled = new HashSet<>();

    BaseImages(ImageLookup images, PullService puller, boolean forcePull, Map<String, Credentials> auth,
               BuildProgress progress) {
        this.images = images;
        this.puller = puller;
        this.forcePull = forcePull;
        this.auth = auth;
        this.progress = progress;
    }

    /** The id of the image {@code ref} names; pulls it as the build's options say. */
    String id(String ref) throws IOException {
        boolean pullable = !ID.matcher(ref).matches();
        if (!forcePull || !pullable || pulled.contains(ref)) {
            try {
                return images.resolve(ref).id();
            } catch (PouchException e) {
                if (e.status() != 404 || !pullable) {
                    throw e;
                }
            }
        }
        Reference r;
        try {
            r = Reference.parseNormalized(ref);
        } catch (PouchException | IllegalArgumentException e) {
            throw PouchException.invalidArgument("invalid reference format: " + ref + ": " + e.getMessage());
        }
        Credentials creds = Credentials.forRegistry(auth, r.domain());
        PullService.Plan plan = puller.resolve(ref, null, null, creds);
        try (OutputStream lines = progress.pullOutput()) {
            puller.pull(plan, lines);
        } catch (IOException e) {
            throw PouchException.internal("cannot pass on the pull's progress: " + e.getMessage(), e);
        }
        pulled.add(ref);
        return images.resolve(ref).id();
    }
}
