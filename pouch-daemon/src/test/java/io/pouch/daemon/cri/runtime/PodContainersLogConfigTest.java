package io.pouch.daemon.cri.runtime;

import io.pouch.api.container.HostConfig;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.PodSandboxConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.pouch.daemon.cri.runtime.CriAsserts.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PodContainersLogConfigTest {
    private static HostConfig.LogConfig log(String dir, String path) {
        return PodContainers.logConfig(PodSandboxConfig.newBuilder().setLogDirectory(dir).build(),
                ContainerConfig.newBuilder().setLogPath(path).build());
    }

    @Test
    void theLogFileIsTheDirectoryJoinedWithThePath() {
        assertEquals(new HostConfig.LogConfig("cri", Map.of("path", "/var/log/pods/shop_web_u1/app/0.log")),
                log("/var/log/pods/shop_web_u1", "app/0.log"));
        assertEquals(new HostConfig.LogConfig("cri", Map.of("path", "/var/log/pods/p/app/1.log")),
                log("/var/log/pods/p/", "app/./x/../1.log"));
    }

    @Test
    void eitherPartMissingLeavesTheEnginesDefault() {
        assertNull(log("", "app/0.log"));
        assertNull(log("/var/log/pods/p", ""));
        assertNull(log("", ""));
    }

    @Test
    void aRelativeDirectoryIsRefused() {
        refused(() -> log("var/log/pods/p", "app/0.log"), "log_directory", "var/log/pods/p", "absolute");
    }

    @Test
    void aPathLeavingTheDirectoryIsRefused() {
        refused(() -> log("/var/log/pods/p", "../other/0.log"), "log_path", "../other/0.log");
        refused(() -> log("/var/log/pods/p", "app/../../p2/0.log"), "log_path");
        refused(() -> log("/var/log/pods/p", "/etc/shadow"), "log_path", "/etc/shadow");
    }
}
