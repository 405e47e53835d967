package io.pouch.daemon.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.Repository;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** {@code docker pull}: what the pull route asks of the puller. */
public interface PullService {
    /** Everything known before the stream starts. */
    record Plan(Reference ref, Repository repo, Repository.Manifest top, Repository.Manifest image, byte[] config,
                String configDigest, List<String> diffIds, List<JsonNode> layers) {
    }

    /** The tags of {@code fromImage}'s repository, for a pull of all of them. */
    List<String> tags(String fromImage, Credentials creds);

    /** Resolves the manifest and config of one image (errors here come before the stream starts). */
    Plan resolve(String fromImage, String tag, String platform, Credentials creds);

    /** Streams the pull's progress; throws on failure (the caller writes it as the stream's error message). */
    void pull(Plan plan, ProgressWriter out) throws IOException;

    /**
     * Streams the pull's progress as jsonmessage lines into {@code progress}, for a caller with its own stream
     * (the builder passes a base image's pull on in its output, as dockerd's does).
     */
    default void pull(Plan plan, OutputStream progress) throws IOException {
        pull(plan, new ProgressWriter(progress));
    }

    /** Pulls without a progress stream (the CRI answers only when the image is stored); throws on failure. */
    default void pull(Plan plan) throws IOException {
        pull(plan, new ProgressWriter(OutputStream.nullOutputStream()));
    }
}
