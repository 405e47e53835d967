package io.pouch.daemon.cri.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pouch.api.Json;
import io.pouch.api.image.ImageInspect;
import io.pouch.cri.v1.AuthConfig;
import io.pouch.cri.v1.Image;
import io.pouch.cri.v1.ImageSpec;
import io.pouch.cri.v1.Int64Value;
import io.pouch.daemon.cri.grpc.GrpcErrors;
import io.pouch.daemon.image.ChainIds;
import io.pouch.daemon.image.Reference;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The engine's images in the CRI's terms, as containerd's CRI plugin shows them: full normalised names, the user of
 * the image config split into uid or name, a pull's credentials and the registry's refusals as gRPC codes.
 */
final class CriImages {
    /** The fields of an OCI image config (containerd marshals its {@code ocispec.Image}, which has only these). */
    private static final Set<String> OCI_CONFIG_FIELDS = Set.of("created", "author", "architecture", "os",
            "os.version", "os.features", "variant", "config", "rootfs", "history");

    private CriImages() {
    }

    /** The image as {@code ListImages} and {@code ImageStatus} answer it. */
    static Image image(ImageInspect i) {
        Image.Builder b = Image.newBuilder()
                .setId(i.id())
                .addAllRepoTags(fullNames(i.repoTags()))
                .addAllRepoDigests(fullNames(i.repoDigests()))
                .setSize(Math.max(0, i.size()))
                .setSpec(ImageSpec.newBuilder().setImage(i.id()))
                .setPinned(false);
        User user = User.of(i.config() == null ? null : i.config().user());
        if (user.uid() != null) {
            b.setUid(Int64Value.newBuilder().setValue(user.uid()));
        }
        b.setUsername(user.name());
        return b.build();
    }

    /**
     * {@code busybox:latest} as containerd names it, {@code docker.io/library/busybox:latest}; digest references
     * likewise ({@code docker.io/library/busybox@sha256:..}). The engine keeps the full names and shows docker's
     * short ones, so this only undoes the shortening.
     */
    static List<String> fullNames(List<String> familiar) {
        if (familiar == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(familiar.size());
        for (String f : familiar) {
            out.add(Reference.parseNormalizedName(f).toString());
        }
        return out;
    }

    /**
     * Whether {@code filter} is a repository name alone ({@code busybox}, {@code localhost:5000/x}) that one of the
     * image's names is in; false for a filter with a tag or digest, or one that is no reference.
     */
    static boolean inRepository(Image image, String filter) {
        Reference f;
        try {
            f = Reference.parseNormalizedName(filter);
        } catch (RuntimeException e) {
            return false;
        }
        if (f.tag() != null || f.digest() != null) {
            return false;
        }
        return Stream.concat(image.getRepoTagsList().stream(), image.getRepoDigestsList().stream())
                .anyMatch(n -> Reference.parseNormalizedName(n).name().equals(f.name()));
    }

    /**
     * The image config's {@code User} as the CRI reports it: a numeric user (the part before {@code :group}) is the
     * uid, anything else the user name; none when the image names no user.
     */
    record User(Long uid, String name) {
        static User of(String user) {
            if (user == null || user.isEmpty()) {
                return new User(null, "");
            }
            int colon = user.indexOf(':');
            String u = colon >= 0 ? user.substring(0, colon) : user;
            try {
                return new User(Long.parseLong(u), "");
            } catch (NumberFormatException e) {
                return new User(null, u);
            }
        }
    }

    /**
     * The verbose {@code ImageStatus} info: {@code {"info": {"chainID": .., "imageSpec": <OCI image config>}}}
     * as containerd writes it (the config without Docker's own fields).
     */
    static Map<String, String> verboseInfo(ObjectNode config) {
        ObjectNode spec = Json.MAPPER.createObjectNode();
        config.properties().forEach(e -> {
            if (OCI_CONFIG_FIELDS.contains(e.getKey())) {
                spec.set(e.getKey(), e.getValue());
            }
        });
        List<String> diffIds = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
        ObjectNode info = Json.MAPPER.createObjectNode();
        String chainId = ChainIds.of(diffIds).isEmpty() ? "" : ChainIds.of(diffIds).getLast();
        info.put("chainID", chainId);
        info.set("imageSpec", spec);
        try {
            return Map.of("info", Json.MAPPER.writeValueAsString(info));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an image config tree did not serialise", e);
        }
    }

    /**
     * The pull's {@link AuthConfig} as registry credentials for this pull alone, with containerd's rules: a user
     * name (with its password) first, then an identity token, then {@code auth} (base64 of {@code user:password});
     * none when {@code server_address} names another registry than the image's, so they never leak to it.
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT for an {@code auth} that is not base64 of user:password
     */
    static Credentials credentials(AuthConfig auth, String image) {
        if (auth == null || auth.equals(AuthConfig.getDefaultInstance())) {
            return Credentials.NONE;
        }
        String server = blankToNull(auth.getServerAddress());
        if (server != null && !registryHost(server).equals(registryHost(Reference.parseNormalizedName(image).domain()))) {
            return Credentials.NONE;
        }
        String identity = blankToNull(auth.getIdentityToken());
        String registryToken = blankToNull(auth.getRegistryToken());
        if (!auth.getUsername().isEmpty()) {
            return new Credentials(auth.getUsername(), auth.getPassword(), identity, registryToken, server);
        }
        if (identity != null) {
            return new Credentials(null, null, identity, registryToken, server);
        }
        if (!auth.getAuth().isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.getAuth().trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw GrpcErrors.invalidArgument("the auth of the pull of \"" + image + "\" is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw GrpcErrors.invalidArgument("the auth of the pull of \"" + image
                        + "\" is not base64 of user:password");
            }
            return new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1).replace("\0", ""), null,
                    registryToken, server);
        }
        return new Credentials(null, null, null, registryToken, server);
    }

    /** {@code https://index.docker.io/v1/}, {@code registry-1.docker.io} and {@code docker.io} are one registry. */
    private static String registryHost(String server) {
        String host = server.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "").replaceAll("/.*$", "").toLowerCase();
        return switch (host) {
            case "index.docker.io", "registry-1.docker.io", "" -> Reference.DEFAULT_DOMAIN;
            default -> host;
        };
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * A failed pull as the status a CRI client acts on, its message naming the image: the registry's unknown
     * repository or tag is NOT_FOUND, refused credentials UNAUTHENTICATED, a denied access PERMISSION_DENIED, a
     * registry that cannot be reached UNAVAILABLE; the rest as {@link GrpcErrors} maps the engine's errors.
     */
    static StatusRuntimeException pullFailure(String image, Throwable e) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        String message = "failed to pull image \"" + image + "\": "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        Status status;
        if (e instanceof RegistryException r && r.unauthorized()) {
            status = Status.UNAUTHENTICATED;
        } else if (e instanceof RegistryException r && r.unreachable()) {
            status = Status.UNAVAILABLE;
        } else {
            // the engine's other errors keep GrpcErrors' codes (an unexpected one is logged there with its stack)
            status = GrpcErrors.of(e).getStatus();
        }
        return status.withDescription(message).asRuntimeException();
    }
}
