package io.pouch.daemon.image;

import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;

/** {@code docker push}: what the push route asks of the pusher. */
public interface PushService {
    /** The local image to push and where to. */
    record Plan(Reference ref, ImageStore.PushSource source, Repository repo) {
    }

    /** Finds the local image and checks the reference (errors here come before the stream starts). */
    Plan resolve(String name, String tag, Credentials creds);

    /** Streams the push's progress; throws on failure (the caller writes it as the stream's error message). */
    void push(Plan plan, ProgressWriter out) throws IOException;
}
