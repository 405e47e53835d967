package io.pouch.daemon.cri.image;

import io.pouch.cri.v1.FilesystemUsage;
import io.pouch.cri.v1.ImageFsInfoRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageFsUsageTest {
    /** A clock a test moves. */
    private static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.ofEpochSecond(1_700_000_000, 5));

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @Test
    void countsBytesAndInodesOnceEachAndMeasuresAgainWhenTheLastIsOld(@TempDir Path root) throws IOException {
        Path snapshot = Files.createDirectories(root.resolve("snapshots/1/fs"));
        Files.write(snapshot.resolve("a"), new byte[1000]);
        Files.write(snapshot.resolve("b"), new byte[24]);
        Files.createLink(snapshot.resolve("a-link"), snapshot.resolve("a"));
        TestClock clock = new TestClock();
        ImageFsUsage fs = new ImageFsUsage(root, Duration.ofSeconds(10), clock);

        ImageFsUsage.Usage u = fs.usage();
        assertEquals(1024, u.usedBytes());
        assertEquals(6, u.inodesUsed(), "root, snapshots, 1, fs, a (linked twice), b");
        assertEquals(root, u.mountpoint());
        assertEquals(clock.instant(), u.timestamp());

        Files.write(snapshot.resolve("c"), new byte[76]);
        clock.now.set(clock.instant().plusSeconds(9));
        assertEquals(u, fs.usage(), "younger than 10 s: not walked again");
        clock.now.set(clock.instant().plusSeconds(1));
        assertEquals(1100, fs.usage().usedBytes());
        assertEquals(7, fs.usage().inodesUsed());
    }

    @Test
    void aDirectoryNotCreatedYetUsesNothing(@TempDir Path root) {
        ImageFsUsage.Usage u = ImageFsUsage.ofContainerdRoot(root).usage();
        assertEquals(root.resolve("io.containerd.snapshotter.v1.overlayfs"), u.mountpoint());
        assertEquals(0, u.usedBytes());
        assertEquals(0, u.inodesUsed());
    }

    @Test
    void imageFsInfoAnswersOneFilesystemInNanoseconds(@TempDir Path root) throws IOException {
        Files.write(root.resolve("layer"), new byte[10]);
        TestClock clock = new TestClock();
        CriImageService service = new CriImageService(new FakeImages(), new FakeImages(), (i, c) -> "",
                new ImageFsUsage(root, Duration.ofSeconds(10), clock));
        var answer = Calls.ok(service::imageFsInfo, ImageFsInfoRequest.getDefaultInstance());
        assertEquals(1, answer.getImageFilesystemsCount());
        assertEquals(0, answer.getContainerFilesystemsCount());
        FilesystemUsage fs = answer.getImageFilesystems(0);
        assertEquals(1_700_000_000_000_000_005L, fs.getTimestamp());
        assertEquals(root.toString(), fs.getFsId().getMountpoint());
        assertEquals(10, fs.getUsedBytes().getValue());
        assertEquals(2, fs.getInodesUsed().getValue());
    }
}
