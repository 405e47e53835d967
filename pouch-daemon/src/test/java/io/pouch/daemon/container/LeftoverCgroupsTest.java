package io.pouch.daemon.container;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeftoverCgroupsTest {
    @TempDir
    Path root;

    @Test
    void removesTheContainersEmptyCgroupsInEveryHierarchyAndNothingElse() throws Exception {
        String id = "a".repeat(64);
        String other = "b".repeat(64);
        Path memory = Files.createDirectories(root.resolve("memory/pouch").resolve(id));
        Path cpu = Files.createDirectories(root.resolve("cpu,cpuacct/pouch").resolve(id));
        Path v2 = Files.createDirectories(root.resolve("pouch").resolve(id));
        Path otherCgroup = Files.createDirectories(root.resolve("memory/pouch").resolve(other));
        // a cgroup with something in it (on a real cgroupfs: a process) cannot be removed and is left alone
        Path busy = Files.createDirectories(root.resolve("pids/pouch").resolve(id));
        Files.writeString(busy.resolve("cgroup.procs"), "42\n");

        LeftoverCgroups.remove(root, "/pouch/" + id);

        assertFalse(Files.exists(memory));
        assertFalse(Files.exists(cpu));
        assertFalse(Files.exists(v2));
        assertTrue(Files.exists(otherCgroup));
        assertTrue(Files.exists(busy));
    }

    @Test
    void aMissingHierarchyIsNotAnError() {
        LeftoverCgroups.remove(root.resolve("nope"), "/pouch/" + "c".repeat(64));
    }
}
