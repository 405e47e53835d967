package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;
import io.pouch.api.container.ContainerUpdate;
import io.pouch.api.container.HostConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResourceUpdatesTest {
    private static ContainerUpdate u(Long mem, Long swap, Long nano, Long quota, Long pids, HostConfig.RestartPolicy rp,
                                     List<String> env, List<String> labels) {
        return new ContainerUpdate(mem, swap, null, nano, null, quota, null, null, null, pids, null, null, null, rp, env,
                labels);
    }

    private static HostConfig base() {
        return HostConfigDefaults.normalize(HostConfig.empty());
    }

    @Test
    void zeroOrMissingLeavesSettingsAlone() {
        HostConfig h = ResourceUpdates.apply(base(), u(64L << 20, null, null, null, 50L, null, null, null));
        assertEquals(64L << 20, h.memory());
        assertEquals(50L, h.pidsLimit());
        HostConfig again = ResourceUpdates.apply(h, u(0L, 0L, 0L, 0L, null, null, null, null));
        assertEquals(h, again);
        assertTrue(ResourceUpdates.isEmpty(u(0L, 0L, null, null, null, new HostConfig.RestartPolicy("", 0), null, null)));
    }

    @Test
    void memoryAboveTheSwapLimitNeedsTheSwapToo() {
        HostConfig h = ResourceUpdates.apply(base(), u(32L << 20, 64L << 20, null, null, null, null, null, null));
        assertThrows(PouchException.class, () -> ResourceUpdates.apply(h, u(128L << 20, null, null, null, null, null,
                null, null)));
        assertEquals(256L << 20, ResourceUpdates.apply(h, u(128L << 20, 256L << 20, null, null, null, null, null,
                null)).memorySwap());
    }

    @Test
    void nanoCpusAndQuotaDoNotMix() {
        HostConfig h = ResourceUpdates.apply(base(), u(null, null, 500_000_000L, null, null, null, null, null));
        assertEquals(409, assertThrows(PouchException.class, () -> ResourceUpdates.apply(h, u(null, null, null,
                20_000L, null, null, null, null))).status());
    }

    @Test
    void restartPolicyIsValidatedAndRefusedWithAutoRemove() {
        HostConfig h = ResourceUpdates.apply(base(), u(null, null, null, null, null,
                new HostConfig.RestartPolicy("on-failure", 2), null, null));
        assertEquals("on-failure", h.restartPolicy().name());
        assertThrows(PouchException.class, () -> ResourceUpdates.apply(base(), u(null, null, null, null, null,
                new HostConfig.RestartPolicy("always", 2), null, null)));
    }

    @Test
    void envAndLabelsMergeByKey() {
        ContainerConfig c = ContainerConfig.builder().hostname("h").domainname("").user("")
                .env(List.of("PATH=/bin", "A=1")).image("busybox").workingDir("").labels(Map.of("x", "1")).build();
        ContainerConfig n = ResourceUpdates.apply(c, u(null, null, null, null, null, null, List.of("A=2", "B=3"),
                List.of("x=2", "y=")));
        assertEquals(List.of("PATH=/bin", "A=2", "B=3"), n.env());
        assertEquals(Map.of("x", "2", "y", ""), n.labels());
        assertThrows(PouchException.class, () -> ResourceUpdates.apply(c, u(null, null, null, null, null, null,
                List.of("=x"), null)));
    }

    @Test
    void anUpdateKeepsWhatItDoesNotTouch() {
        HostConfig.Mount tmp = new HostConfig.Mount("tmpfs", null, "/t", false, null, null, null);
        HostConfig h = base().toBuilder().mounts(List.of(tmp)).tmpfs(Map.of("/run", "size=1m"))
                .binds(List.of("/a:/b")).privileged(true).build();
        HostConfig updated = ResourceUpdates.apply(h, u(64L << 20, null, null, null, null, null, null, null));
        assertEquals(h.toBuilder().memory(64L << 20).build(), updated);
    }
}
