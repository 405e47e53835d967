package io.pouch.daemon.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Registry settings; Pouch's key name in the file is given first for each component. Kept apart from
 * {@link DaemonConfig} so that record's constructor, which other code calls, stays as it is.
 *
 * @param defaultRegistry    {@code default-registry}: the registry of names without a domain; "docker.io"
 * @param mirrors            {@code registry-mirrors}: mirrors of docker.io tried before it, as URLs
 * @param insecureRegistries {@code insecure-registries}: hosts (host:port) reached over plain HTTP or unverified TLS
 * @param certsDir           {@code registry-certs-dir}: {@code <dir>/<host:port>/ca.crt} is trusted for that registry
 * @param imageProxy         {@code image-proxy}: an HTTP proxy (host:port or URL) used for blob downloads only
 * @param defaultNamespace   {@code default-registry-namespace}: the namespace of one-component names fetched from the
 *                           default registry ("library": {@code busybox} is {@code library/busybox})
 */
public record RegistryConfig(String defaultRegistry, List<String> mirrors, List<String> insecureRegistries,
                             Path certsDir, String imageProxy, String defaultNamespace) {

    public static final String DEFAULT_NAMESPACE = "library";

    /** The settings before default-registry-namespace existed: the namespace is {@value #DEFAULT_NAMESPACE}. */
    public RegistryConfig(String defaultRegistry, List<String> mirrors, List<String> insecureRegistries,
                          Path certsDir, String imageProxy) {
        this(defaultRegistry, mirrors, insecureRegistries, certsDir, imageProxy, DEFAULT_NAMESPACE);
    }

    public static RegistryConfig defaults() {
        return new RegistryConfig("docker.io", List.of(), List.of(), Path.of("/etc/pouch/certs.d"), null);
    }
}
