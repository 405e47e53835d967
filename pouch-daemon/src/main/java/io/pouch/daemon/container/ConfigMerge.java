package io.pouch.daemon.container;

import io.pouch.api.container.ContainerConfig;
import io.pouch.daemon.image.LocalImage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A requested container config merged with its image's, as Docker stores it: the user's values win, the image
 * fills what the user left out (user, working dir, entrypoint, volumes, stop signal), labels are the image's
 * overlaid with the user's, and the environment gets PATH and friends but no HOSTNAME unless the user gave one.
 */
final class ConfigMerge {
    /** What an image without a config contributes: nothing. */
    static final LocalImage.RunConfig NO_IMAGE_CONFIG = new LocalImage.RunConfig(null, null, null, null, null, null,
            null, null, null);

    private ConfigMerge() {
    }

    /** The image's run config, or {@link #NO_IMAGE_CONFIG}. */
    static LocalImage.RunConfig of(LocalImage image) {
        return image.config() != null ? image.config() : NO_IMAGE_CONFIG;
    }

    /**
     * @param command the resolved command ({@link OciSpecBuilder#command}); what follows the entrypoint is Cmd
     */
    static ContainerConfig merge(ContainerConfig c, LocalImage.RunConfig ic, String hostname, List<String> command) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (ic.labels() != null) {
            labels.putAll(ic.labels());
        }
        if (c.labels() != null) {
            labels.putAll(c.labels());
        }
        List<String> env = OciSpecBuilder.env(hostname, ic.env(), c.env(), false).stream()
                .filter(e -> !e.startsWith("HOSTNAME=") || (c.env() != null && c.env().contains(e))).toList();
        List<String> ep = c.entrypoint() != null ? (c.entrypoint().size() == 1 && c.entrypoint().get(0).isEmpty()
                ? null : c.entrypoint()) : ic.entrypoint();
        int epLen = ep == null ? 0 : ep.size();
        List<String> cmd = command.size() > epLen ? List.copyOf(command.subList(epLen, command.size())) : null;
        return c.toBuilder()
                .hostname(hostname)
                .domainname(c.domainname() == null ? "" : c.domainname())
                .user(nonEmpty(c.user()) ? c.user() : (ic.user() == null ? "" : ic.user()))
                .env(env)
                .cmd(cmd)
                .volumes(c.volumes() != null ? c.volumes() : ic.volumes())
                .workingDir(nonEmpty(c.workingDir()) ? c.workingDir() : (ic.workingDir() == null ? "" : ic.workingDir()))
                .entrypoint(ep)
                .labels(labels)
                .stopSignal(nonEmpty(c.stopSignal()) ? c.stopSignal() : ic.stopSignal())
                .healthcheck(HealthConfigs.merge(ic.healthcheck(), c.healthcheck()))
                .build();
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
