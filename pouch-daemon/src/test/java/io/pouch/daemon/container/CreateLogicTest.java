package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.image.LocalImage;
import io.pouch.daemon.logs.LogDrivers;
import io.pouch.daemon.runtime.Runtimes;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pure steps of a create: normalisation, validation and the merge with the image's config. */
class CreateLogicTest {
    private static ContainerConfig config(String user, List<String> env, List<String> cmd, List<String> entrypoint,
                                          Map<String, String> labels) {
        return ContainerConfig.builder().user(user).env(env).cmd(cmd).image("busybox").entrypoint(entrypoint)
                .labels(labels).build();
    }

    private static final LocalImage.RunConfig IMAGE = new LocalImage.RunConfig("daemon",
            List.of("PATH=/bin", "LANG=C"), List.of("/entry"), List.of("serve"), "/srv",
            Map.of("maintainer", "img", "tier", "img"), "SIGQUIT", null, Map.of("/data", Map.of()));

    @Test
    void normalizeFillsDockersStoredDefaults() {
        HostConfig h = HostConfigDefaults.normalize(HostConfig.empty());
        assertEquals("default", h.networkMode());
        assertEquals("private", h.ipcMode());
        assertEquals(HostConfigDefaults.SHM_SIZE, h.shmSize());
        assertEquals(new HostConfig.RestartPolicy("no", 0), h.restartPolicy());
        assertEquals(new HostConfig.LogConfig(null, Map.of()), h.logConfig());
        assertEquals(Map.of(), h.portBindings());
        assertEquals(List.of(), h.dns());
        assertEquals("", h.containerIdFile());
        assertEquals("", h.cpusetCpus());
        assertNull(h.runtime());
        assertNull(h.binds());
    }

    @Test
    void normalizeKeepsWhatWasGiven() {
        HostConfig.Mount tmp = new HostConfig.Mount("tmpfs", null, "/t", false, null, null, null);
        HostConfig given = HostConfig.builder().networkMode("host").ipcMode("host").shmSize(1 << 20)
                .runtime("crun").restartPolicy(new HostConfig.RestartPolicy("always", 0))
                .logConfig(new HostConfig.LogConfig("none", null)).memory(1 << 22).binds(List.of("/a:/b"))
                .mounts(List.of(tmp)).tmpfs(Map.of("/run", "")).build();
        HostConfig h = HostConfigDefaults.normalize(given);
        assertEquals("host", h.networkMode());
        assertEquals("host", h.ipcMode());
        assertEquals(1 << 20, h.shmSize());
        assertEquals("crun", h.runtime());
        assertEquals("always", h.restartPolicy().name());
        assertEquals(new HostConfig.LogConfig("none", Map.of()), h.logConfig());
        assertEquals(1 << 22, h.memory());
        assertEquals(List.of("/a:/b"), h.binds());
        assertEquals(List.of(tmp), h.mounts());
        assertEquals(Map.of("/run", ""), h.tmpfs());
        assertNull(HostConfigDefaults.normalize(HostConfig.builder().runtime("").build()).runtime());
        assertEquals(h, HostConfigDefaults.normalize(h), "normalising twice changes nothing");
    }

    @Test
    void validationRefusesUnknownRuntimesLogDriversAndPolicies() {
        HostConfigValidation v = new HostConfigValidation(Runtimes.create("runc", Map.of(), Path.of("/nonexistent"),
                Path.of("/nonexistent"), false, rt -> null), new LogDrivers("json-file", Map.of()));
        HostConfig ok = HostConfigDefaults.normalize(HostConfig.empty());
        v.validate(ok);
        assertEquals("runc", v.runtimeOf(ok));
        assertEquals("crun", v.runtimeOf(ok.toBuilder().runtime("crun").build()));

        PouchException rt = assertThrows(PouchException.class, () -> v.validate(ok.toBuilder().runtime("kata")
                .build()));
        assertEquals("Unknown runtime specified kata (known runtimes: crun, runc)", rt.getMessage());
        PouchException log = assertThrows(PouchException.class, () -> v.validate(
                ok.withLogConfig(new HostConfig.LogConfig("fluentd", Map.of()))));
        assertEquals(400, log.status());
        assertEquals("logger: no log driver named 'fluentd' is registered", log.getMessage());
        PouchException opt = assertThrows(PouchException.class, () -> v.validate(
                ok.withLogConfig(new HostConfig.LogConfig(null, Map.of("max-file", "0")))));
        assertEquals("max-file cannot be less than 1", opt.getMessage());
        PouchException rm = assertThrows(PouchException.class, () -> v.validate(ok.toBuilder().autoRemove(true)
                .restartPolicy(new HostConfig.RestartPolicy("always", 0)).build()));
        assertEquals("Conflicting options: --restart and --rm", rm.getMessage());
    }

    @Test
    void mergeFillsWhatTheUserLeftOutFromTheImage() {
        ContainerConfig c = config(null, null, null, null, Map.of("tier", "user"));
        List<String> command = OciSpecBuilder.command(null, null, IMAGE.entrypoint(), IMAGE.cmd());
        ContainerConfig m = ConfigMerge.merge(c, IMAGE, "abc", command);
        assertEquals("abc", m.hostname());
        assertEquals("daemon", m.user());
        assertEquals("/srv", m.workingDir());
        assertEquals(List.of("/entry"), m.entrypoint());
        assertEquals(List.of("serve"), m.cmd());
        assertEquals("SIGQUIT", m.stopSignal());
        assertEquals(Map.of("/data", Map.of()), m.volumes());
        assertEquals(Map.of("maintainer", "img", "tier", "user"), m.labels());
        assertEquals(List.of("PATH=/bin", "LANG=C"), m.env(), "no HOSTNAME unless the user gave one");
        assertEquals("", m.domainname());
    }

    @Test
    void mergeLetsTheUserWin() {
        ContainerConfig c = config("root", List.of("HOSTNAME=mine", "LANG=fr"), List.of("echo", "hi"),
                List.of(""), null);
        List<String> command = OciSpecBuilder.command(c.entrypoint(), c.cmd(), IMAGE.entrypoint(), IMAGE.cmd());
        ContainerConfig m = ConfigMerge.merge(c, IMAGE, "abc", command);
        assertEquals("root", m.user());
        assertNull(m.entrypoint(), "[\"\"] clears the image's entrypoint");
        assertEquals(List.of("echo", "hi"), m.cmd());
        assertEquals(List.of("PATH=/bin", "HOSTNAME=mine", "LANG=fr"), m.env());
    }

    @Test
    void anImageWithoutConfigContributesNothing() {
        LocalImage bare = new LocalImage("sha256:" + "1".repeat(64), "x:latest", "sha256:" + "2".repeat(64),
                "overlayfs", null);
        assertEquals(ConfigMerge.NO_IMAGE_CONFIG, ConfigMerge.of(bare));
        ContainerConfig m = ConfigMerge.merge(config(null, null, List.of("sh"), null, null), ConfigMerge.of(bare),
                "h", List.of("sh"));
        assertEquals("", m.user());
        assertEquals("", m.workingDir());
        assertEquals(List.of("sh"), m.cmd());
        assertEquals(Map.of(), m.labels());
    }
}
