package io.pouch.daemon.cri;

import io.pouch.api.PouchException;
import io.pouch.daemon.config.CriConfig;
import io.pouch.daemon.cri.runtime.SandboxImages;
import io.pouch.daemon.image.ImageManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Makes the sandbox image present: the default one is the install's own pause image, loaded from its tar when
 * missing (no registry needed to run a pod); any other one is pulled like kubelet's images.
 */
final class EmbeddedSandboxImage implements SandboxImages {
    private static final Logger LOG = Logger.getLogger(EmbeddedSandboxImage.class.getName());

    private final ImageManager images;
    private final Path embeddedTar;
    private final Consumer<String> pull;

    /**
     * @param embeddedTar the install's pause image (docker-save tar) for {@link CriConfig#DEFAULT_SANDBOX_IMAGE}
     * @param pull        pulls a reference with no credentials
     */
    EmbeddedSandboxImage(ImageManager images, Path embeddedTar, Consumer<String> pull) {
        this.images = images;
        this.embeddedTar = embeddedTar;
        this.pull = pull;
    }

    @Override
    public synchronized String ensure(String reference) {
        if (present(reference)) {
            return reference;
        }
        if (reference.equals(CriConfig.DEFAULT_SANDBOX_IMAGE) && Files.isRegularFile(embeddedTar)) {
            try (InputStream in = Files.newInputStream(embeddedTar)) {
                images.load(in);
                LOG.info("loaded the sandbox image " + reference + " from " + embeddedTar);
            } catch (IOException e) {
                throw PouchException.internal("cannot load the sandbox image from " + embeddedTar + ": "
                        + e.getMessage(), e);
            }
        } else {
            pull.accept(reference);
        }
        if (!present(reference)) {
            throw PouchException.notFound("sandbox image " + reference + " is not present and could not be loaded");
        }
        return reference;
    }

    private boolean present(String reference) {
        try {
            images.resolve(reference);
            return true;
        } catch (PouchException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }
}
