package io.pouch.daemon.cri.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.cri.v1.AuthConfig;
import io.pouch.cri.v1.Image;
import io.pouch.cri.v1.ImageFilter;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.ImageStatusRequest;
import io.pouch.cri.v1.ImageStatusResponse;
import io.pouch.cri.v1.ListImagesRequest;
import io.pouch.cri.v1.PullImageRequest;
import io.pouch.cri.v1.RemoveImageRequest;
import io.pouch.daemon.image.ChainIds;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.pouch.daemon.cri.image.FakeImages.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CriImageServiceTest {
    private static final String BUSYBOX = id('a');
    private static final String APP = id('b');
    private static final String NOBODY = id('c');
    private static final String BUSYBOX_DIGEST = "sha256:" + "f".repeat(64);

    private final FakeImages images = new FakeImages()
            .add(BUSYBOX, List.of("busybox:latest", "busybox:1.36"), List.of("busybox@" + BUSYBOX_DIGEST), "", 2_000)
            .add(APP, List.of("gcr.io/k8s-staging-cri-tools/test-image-tags:1", "localhost:5000/team/app:v2"),
                    List.of(), "1000:1000", 3_000)
            .add(NOBODY, List.of("user/tool:latest"), List.of(), "nobody:nogroup", 4_000);
    private final List<String> pulls = new ArrayList<>();
    private final List<Credentials> pullCreds = new ArrayList<>();
    private ImagePulls puller = (image, creds) -> {
        pulls.add(image);
        pullCreds.add(creds);
        return APP;
    };
    private final CriImageService service = new CriImageService(images, images,
            (image, creds) -> puller.pull(image, creds), new ImageFsUsage(Path.of("/nonexistent-image-fs"),
            Duration.ofSeconds(10), Clock.fixed(Instant.ofEpochSecond(1_700_000_000, 42), ZoneOffset.UTC)));

    private static ImageSpec spec(String image) {
        return ImageSpec.newBuilder().setImage(image).build();
    }

    private List<Image> list(String filter) {
        ListImagesRequest.Builder r = ListImagesRequest.newBuilder();
        if (filter != null) {
            r.setFilter(ImageFilter.newBuilder().setImage(spec(filter)));
        }
        return Calls.ok(service::listImages, r.build()).getImagesList();
    }

    private ImageStatusResponse status(String image, boolean verbose) {
        return Calls.ok(service::imageStatus, ImageStatusRequest.newBuilder().setImage(spec(image))
                .setVerbose(verbose).build());
    }

    // ------------------------------------------------------------------ list / status

    @Test
    void imagesCarryTheirFullNamesAsContainerdShowsThem() {
        List<Image> all = list(null);
        assertEquals(List.of(BUSYBOX, APP, NOBODY), all.stream().map(Image::getId).toList());
        Image busybox = all.getFirst();
        assertEquals(List.of("docker.io/library/busybox:latest", "docker.io/library/busybox:1.36"),
                busybox.getRepoTagsList());
        assertEquals(List.of("docker.io/library/busybox@" + BUSYBOX_DIGEST), busybox.getRepoDigestsList());
        assertEquals(2_000, busybox.getSize());
        assertEquals(BUSYBOX, busybox.getSpec().getImage());
        assertFalse(busybox.getPinned());
        assertEquals(List.of("gcr.io/k8s-staging-cri-tools/test-image-tags:1", "localhost:5000/team/app:v2"),
                all.get(1).getRepoTagsList());
        assertEquals(List.of("docker.io/user/tool:latest"), all.get(2).getRepoTagsList());
    }

    @Test
    void theImageUserIsAUidWhenNumericElseAName() {
        List<Image> all = list(null);
        assertFalse(all.get(0).hasUid(), "no user in the image: neither uid nor name");
        assertEquals("", all.get(0).getUsername());
        assertTrue(all.get(1).hasUid());
        assertEquals(1000, all.get(1).getUid().getValue());
        assertEquals("", all.get(1).getUsername());
        assertFalse(all.get(2).hasUid());
        assertEquals("nobody", all.get(2).getUsername());

        assertEquals(new CriImages.User(0L, ""), CriImages.User.of("0"));
        assertEquals(new CriImages.User(null, "www-data"), CriImages.User.of("www-data:33"));
        assertEquals(new CriImages.User(null, ""), CriImages.User.of(null));
    }

    @Test
    void aFilterNamesOneImageOrEveryImageOfARepository() {
        assertEquals(List.of(BUSYBOX), list("busybox:1.36").stream().map(Image::getId).toList());
        assertEquals(List.of(APP), list(APP).stream().map(Image::getId).toList());
        assertEquals(List.of(BUSYBOX), list("docker.io/library/busybox").stream().map(Image::getId).toList());
        assertEquals(List.of(APP), list("localhost:5000/team/app").stream().map(Image::getId).toList());
        assertEquals(List.of(), list("busybox:2"));
        assertEquals(List.of(), list("Not A Reference"));
    }

    @Test
    void statusFindsAnImageByIdNameOrDigestAndIsEmptyWhenItIsNotThere() {
        for (String ref : List.of(BUSYBOX, "busybox", "docker.io/library/busybox:1.36",
                "docker.io/library/busybox@" + BUSYBOX_DIGEST)) {
            assertEquals(BUSYBOX, status(ref, false).getImage().getId(), ref);
        }
        assertFalse(status("busybox", false).getInfoMap().containsKey("info"), "info only when verbose");
        for (String missing : List.of("nosuch:latest", id('9'), "Invalid Reference!")) {
            ImageStatusResponse r = status(missing, false);
            assertFalse(r.hasImage(), missing);
            assertEquals(ImageStatusResponse.getDefaultInstance(), r);
        }
    }

    @Test
    void aVerboseStatusCarriesTheOciConfigAndChainId() throws IOException {
        JsonNode info = Json.MAPPER.readTree(status("busybox", true).getInfoMap().get("info"));
        assertEquals(ChainIds.of(List.of(id('d'), id('e'))).getLast(), info.path("chainID").asText());
        JsonNode spec = info.path("imageSpec");
        assertEquals("amd64", spec.path("architecture").asText());
        assertEquals(id('e'), spec.path("rootfs").path("diff_ids").get(1).asText());
        assertTrue(spec.path("config").isObject());
        assertTrue(spec.path("container_config").isMissingNode(), "only the fields of an OCI image config");
    }

    @Test
    void aRequestWithoutAnImageIsRefused() {
        Status s = Calls.failed(service::imageStatus, ImageStatusRequest.getDefaultInstance());
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertEquals("ImageStatus needs an image (image.image is empty)", s.getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT,
                Calls.failed(service::pullImage, PullImageRequest.getDefaultInstance()).getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT,
                Calls.failed(service::removeImage, RemoveImageRequest.getDefaultInstance()).getCode());
    }

    // ------------------------------------------------------------------ pull

    private String pull(String image, AuthConfig auth) {
        PullImageRequest.Builder r = PullImageRequest.newBuilder().setImage(spec(image));
        if (auth != null) {
            r.setAuth(auth);
        }
        return Calls.ok(service::pullImage, r.build()).getImageRef();
    }

    @Test
    void aPullAnswersTheImageId() {
        assertEquals(APP, pull("gcr.io/k8s-staging-cri-tools/test-image-tags:1", null));
        assertEquals(List.of("gcr.io/k8s-staging-cri-tools/test-image-tags:1"), pulls);
        assertEquals(Credentials.NONE, pullCreds.getFirst());
    }

    @Test
    void thePullsCredentialsComeFromItsAuthConfig() {
        pull("localhost:5000/app", AuthConfig.newBuilder().setUsername("alice").setPassword("s3cret")
                .setServerAddress("localhost:5000").build());
        assertEquals(new Credentials("alice", "s3cret", null, null, "localhost:5000"), pullCreds.getLast());

        String auth = Base64.getEncoder().encodeToString("bob:pa:ss".getBytes(StandardCharsets.UTF_8));
        pull("localhost:5000/app", AuthConfig.newBuilder().setAuth(auth).build());
        assertEquals(new Credentials("bob", "pa:ss", null, null, null), pullCreds.getLast());

        pull("busybox", AuthConfig.newBuilder().setIdentityToken("tok").setServerAddress("https://index.docker.io/v1/")
                .build());
        assertEquals(new Credentials(null, null, "tok", null, "https://index.docker.io/v1/"), pullCreds.getLast());

        pull("busybox", AuthConfig.newBuilder().setRegistryToken("bearer").build());
        assertEquals(new Credentials(null, null, null, "bearer", null), pullCreds.getLast());

        pull("busybox", AuthConfig.getDefaultInstance());
        assertEquals(Credentials.NONE, pullCreds.getLast());
    }

    @Test
    void credentialsForAnotherRegistryAreNotSent() {
        pull("localhost:5000/app", AuthConfig.newBuilder().setUsername("alice").setPassword("s3cret")
                .setServerAddress("https://registry.example/v2/").build());
        assertEquals(Credentials.NONE, pullCreds.getLast());
        pull("busybox", AuthConfig.newBuilder().setUsername("alice").setPassword("s3cret")
                .setServerAddress("registry-1.docker.io").build());
        assertEquals("alice", pullCreds.getLast().username());
    }

    @Test
    void anAuthThatIsNotUserColonPasswordIsRefused() {
        for (String auth : List.of("not base64!", Base64.getEncoder().encodeToString("nocolon".getBytes()))) {
            Status s = Calls.failed(service::pullImage, PullImageRequest.newBuilder().setImage(spec("busybox"))
                    .setAuth(AuthConfig.newBuilder().setAuth(auth)).build());
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), auth);
            assertTrue(s.getDescription().contains("\"busybox\""), s.getDescription());
        }
        assertTrue(pulls.isEmpty());
    }

    private Status pullFailure(RuntimeException e) {
        puller = (image, creds) -> {
            throw e;
        };
        return Calls.failed(service::pullImage, PullImageRequest.newBuilder().setImage(spec("localhost:5000/app:1"))
                .build());
    }

    @Test
    void aFailedPullSaysWhyWithTheCodeOfTheRegistrysReason() {
        Status notFound = pullFailure(new RegistryException(404,
                "manifest for localhost:5000/app:1 not found: manifest unknown"));
        assertEquals(Status.Code.NOT_FOUND, notFound.getCode());
        assertEquals("failed to pull image \"localhost:5000/app:1\": manifest for localhost:5000/app:1 not found: "
                + "manifest unknown", notFound.getDescription());
        assertEquals(Status.Code.UNAUTHENTICATED,
                pullFailure(RegistryException.unauthorized("pull access denied")).getCode());
        assertEquals(Status.Code.PERMISSION_DENIED,
                pullFailure(new RegistryException(403, "denied: requested access")).getCode());
        assertEquals(Status.Code.UNAVAILABLE, pullFailure(new RegistryException(500, "Get \"http://localhost:5000/v2/\"",
                new ConnectException("Connection refused"))).getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT,
                pullFailure(PouchException.invalidArgument("invalid reference format")).getCode());
        Status unexpected = pullFailure(new IllegalStateException("no image id"));
        assertEquals(Status.Code.INTERNAL, unexpected.getCode());
        assertEquals("failed to pull image \"localhost:5000/app:1\": no image id", unexpected.getDescription());
    }

    // ------------------------------------------------------------------ remove

    private void remove(String image) {
        Calls.ok(service::removeImage, RemoveImageRequest.newBuilder().setImage(spec(image)).build());
    }

    @Test
    void removingByAnyNameRemovesTheWholeImage() {
        remove("busybox:1.36");
        assertEquals(List.of(BUSYBOX + " force"), images.deletes);
        assertFalse(images.has(BUSYBOX));
        remove("docker.io/user/tool");
        assertFalse(images.has(NOBODY));
        remove(APP);
        assertFalse(images.has(APP));
    }

    @Test
    void removingAnImageThatIsNotThereSucceeds() {
        remove("nosuch:latest");
        remove(id('9'));
        remove("Invalid Reference!");
        assertEquals(List.of(), images.deletes);
    }

    @Test
    void theImageOfARunningContainerLosesAllItsNames() {
        images.running.add(BUSYBOX);
        remove("busybox");
        assertEquals(List.of(BUSYBOX + " force", "busybox:latest force", "busybox:1.36 force",
                "busybox@" + BUSYBOX_DIGEST + " force"), images.deletes);
        assertEquals(List.of(), images.namesOf(BUSYBOX));
        assertTrue(images.has(BUSYBOX), "kept (untagged) for the container");
    }

    @Test
    void aRemovalTheEngineFailsIsAnError() {
        images.deleteFailure = PouchException.internal("removing the image from containerd failed: boom", null);
        Status s = Calls.failed(service::removeImage, RemoveImageRequest.newBuilder().setImage(spec("busybox")).build());
        assertEquals(Status.Code.INTERNAL, s.getCode());
        assertEquals("removing the image from containerd failed: boom", s.getDescription());
    }
}
