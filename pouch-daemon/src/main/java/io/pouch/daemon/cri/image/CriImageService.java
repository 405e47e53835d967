package io.pouch.daemon.cri.image;

import io.grpc.stub.StreamObserver;
import io.pouch.api.PouchException;
import io.pouch.api.image.ImageInspect;
import io.pouch.api.image.ImageSummary;
import io.pouch.cri.v1.FilesystemIdentifier;
import io.pouch.cri.v1.FilesystemUsage;
import io.pouch.cri.v1.ImageFsInfoRequest;
import io.pouch.cri.v1.ImageFsInfoResponse;
import io.pouch.cri.v1.ImageServiceGrpc;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.ImageStatusRequest;
import io.pouch.cri.v1.ImageStatusResponse;
import io.pouch.cri.v1.ListImagesRequest;
import io.pouch.cri.v1.ListImagesResponse;
import io.pouch.cri.v1.PullImageRequest;
import io.pouch.cri.v1.PullImageResponse;
import io.pouch.cri.v1.RemoveImageRequest;
import io.pouch.cri.v1.RemoveImageResponse;
import io.pouch.cri.v1.UInt64Value;
import io.pouch.daemon.cri.grpc.GrpcErrors;
import io.pouch.daemon.image.ImageFields;
import io.pouch.daemon.image.ImageService;
import io.pouch.daemon.image.ImageSpecs;
import io.pouch.daemon.query.Filters;
import io.pouch.daemon.registry.Credentials;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Kubernetes CRI image service over the engine's images, answering as containerd's CRI plugin does: images by
 * id with their full names, an empty status for an image that is not there, a pull with the request's credentials
 * alone (never stored) answering the image id, a removal of the whole image whatever name it is given (and success
 * when it is gone already), the snapshotter's usage as the image filesystem. Every failure reaches the client as a
 * gRPC status with a message; never with a stack.
 */
public final class CriImageService extends ImageServiceGrpc.ImageServiceImplBase {
    private final ImageService images;
    private final ImageSpecs specs;
    private final ImagePulls pulls;
    private final ImageFsUsage imageFs;

    /**
     * @param images  the local images (the daemon's image manager)
     * @param specs   their config blobs (the image manager too)
     * @param pulls   the registry side, {@link ImagePulls#over} the daemon's puller
     * @param imageFs the usage of the snapshotter's directory
     */
    public CriImageService(ImageService images, ImageSpecs specs, ImagePulls pulls, ImageFsUsage imageFs) {
        this.images = images;
        this.specs = specs;
        this.pulls = pulls;
        this.imageFs = imageFs;
    }

    /**
     * Every image, or those the filter names: the image it resolves to, and for a bare repository name
     * ({@code busybox}) every image with a name in that repository, as crictl's {@code images busybox} lists them.
     */
    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> out) {
        answer(out, () -> {
            String filter = request.getFilter().getImage().getImage();
            String filterId = filter.isEmpty() ? null : find(filter).map(ImageInspect::id).orElse(null);
            ListImagesResponse.Builder b = ListImagesResponse.newBuilder();
            for (ImageSummary s : images.list(Filters.NONE, ImageFields.CURRENT, true)) {
                // an image removed since the list is left out, not an error
                find(s.id()).map(CriImages::image)
                        .filter(i -> filter.isEmpty() || i.getId().equals(filterId) || CriImages.inRepository(i, filter))
                        .ifPresent(b::addImages);
            }
            return b.build();
        });
    }

    @Override
    public void imageStatus(ImageStatusRequest request, StreamObserver<ImageStatusResponse> out) {
        answer(out, () -> {
            String name = required(request.getImage(), "ImageStatus");
            Optional<ImageInspect> found = find(name);
            if (found.isEmpty()) {
                return ImageStatusResponse.getDefaultInstance();
            }
            ImageStatusResponse.Builder b = ImageStatusResponse.newBuilder().setImage(CriImages.image(found.get()));
            if (request.getVerbose()) {
                try {
                    b.putAllInfo(CriImages.verboseInfo(specs.config(found.get().id())));
                } catch (PouchException e) {
                    if (!GrpcErrors.isNotFound(e)) {
                        throw e;
                    }
                    return ImageStatusResponse.getDefaultInstance(); // removed meanwhile
                }
            }
            return b.build();
        });
    }

    @Override
    public void pullImage(PullImageRequest request, StreamObserver<PullImageResponse> out) {
        answer(out, () -> {
            String name = required(request.getImage(), "PullImage");
            try {
                Credentials creds = CriImages.credentials(request.hasAuth() ? request.getAuth() : null, name);
                return PullImageResponse.newBuilder().setImageRef(pulls.pull(name, creds)).build();
            } catch (RuntimeException | IOException e) {
                throw CriImages.pullFailure(name, e);
            }
        });
    }

    /**
     * Removes every name of the image and the image, as containerd does whichever of its names (or its id) is
     * given. The engine refuses to delete the image of a running container even when forced; containerd removes its
     * names anyway (the container keeps its snapshot), so its names are removed one by one then, and the image
     * stays untagged for as long as that container needs it.
     */
    @Override
    public void removeImage(RemoveImageRequest request, StreamObserver<RemoveImageResponse> out) {
        answer(out, () -> {
            String name = required(request.getImage(), "RemoveImage");
            Optional<ImageInspect> found = find(name);
            if (found.isEmpty()) {
                return RemoveImageResponse.getDefaultInstance();
            }
            ImageInspect image = found.get();
            try {
                images.delete(image.id(), true);
            } catch (PouchException e) {
                if (GrpcErrors.isNotFound(e)) {
                    return RemoveImageResponse.getDefaultInstance();
                }
                if (e.status() != 409) {
                    throw e;
                }
                untagAll(image);
            }
            return RemoveImageResponse.getDefaultInstance();
        });
    }

    private void untagAll(ImageInspect image) {
        List<String> names = new ArrayList<>(image.repoTags() == null ? List.of() : image.repoTags());
        if (image.repoDigests() != null) {
            names.addAll(image.repoDigests());
        }
        for (String n : names) {
            try {
                images.delete(n, true);
            } catch (PouchException e) {
                if (!GrpcErrors.isNotFound(e)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void imageFsInfo(ImageFsInfoRequest request, StreamObserver<ImageFsInfoResponse> out) {
        answer(out, () -> {
            ImageFsUsage.Usage u = imageFs.usage();
            Instant t = u.timestamp();
            FilesystemUsage fs = FilesystemUsage.newBuilder()
                    .setTimestamp(t.getEpochSecond() * 1_000_000_000L + t.getNano())
                    .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(u.mountpoint().toString()))
                    .setUsedBytes(UInt64Value.newBuilder().setValue(u.usedBytes()))
                    .setInodesUsed(UInt64Value.newBuilder().setValue(u.inodesUsed()))
                    .build();
            return ImageFsInfoResponse.newBuilder().addImageFilesystems(fs).build();
        });
    }

    /**
     * The image {@code name} names (a name, a digest reference, an id or a unique id prefix), or empty when there
     * is none: also for a name that cannot be parsed, which containerd likewise treats as an image it does not have.
     */
    private Optional<ImageInspect> find(String name) {
        try {
            return Optional.of(images.inspect(name, ImageFields.CURRENT));
        } catch (PouchException e) {
            if (GrpcErrors.isNotFound(e) || e.status() == 400) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static String required(ImageSpec spec, String call) {
        String name = spec.getImage();
        if (name.isBlank()) {
            throw GrpcErrors.invalidArgument(call + " needs an image (image.image is empty)");
        }
        return name;
    }

    /** Sends what {@code call} answers, or its failure as a status (never a stack). */
    private static <T> void answer(StreamObserver<T> out, Supplier<T> call) {
        T value;
        try {
            value = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcErrors.of(e));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }
}
