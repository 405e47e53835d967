package io.pouch.daemon.container.stats;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.container.ProcessViews;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code docker stats}: readings of a container's cgroup and network counters in Docker's JSON, one at a time or as
 * a stream of one JSON document per line, a reading per interval (a second, as dockerd).
 */
public final class StatsService {
    /** Where a stream of readings goes: opened once the container was found, so that a 404 is still an answer. */
    @FunctionalInterface
    public interface Output {
        OutputStream open() throws IOException;
    }

    /** Tells a stream that its reader left. */
    @FunctionalInterface
    public interface Presence {
        boolean gone();
    }

    private final ProcessViews containers;
    private final CgroupReader cgroups;
    private final long intervalMillis;

    public StatsService(ProcessViews containers, CgroupReader cgroups, Duration interval) {
        this.containers = containers;
        this.cgroups = cgroups;
        this.intervalMillis = interval.toMillis();
    }

    /** Over the host's cgroup filesystem, a reading a second. */
    public static StatsService onHost(ProcessViews containers) {
        return new StatsService(containers, new CgroupReader(Path.of("/sys/fs/cgroup")), Duration.ofSeconds(1));
    }

    /**
     * One reading. Unless {@code oneShot}, a running container is read twice an interval apart, so that the CPU
     * percentage can be computed (dockerd does the same).
     */
    public ObjectNode sample(String ref, boolean oneShot) throws InterruptedException {
        ContainerManager.ProcessView c = containers.processView(ref);
        long machine = StatsJson.machineMemory();
        StatsJson.Reading prev = null;
        if (!oneShot && c.running()) {
            prev = StatsJson.take(cgroups, c.pid());
            Thread.sleep(intervalMillis);
        }
        c = containers.processView(ref);
        StatsJson.Reading now = StatsJson.take(cgroups, c.running() ? c.pid() : 0);
        return StatsJson.build(c.id(), c.name(), now, prev, machine);
    }

    /** A reading per interval until the reader left or the container was removed; the output is closed at the end. */
    public void stream(String ref, Output output, Presence reader) throws IOException, InterruptedException {
        containers.processView(ref);
        long machine = StatsJson.machineMemory();
        OutputStream out = output.open();
        try (out) {
            StatsJson.Reading prev = null;
            while (!reader.gone()) {
                ContainerManager.ProcessView c = containers.processView(ref);
                StatsJson.Reading now = StatsJson.take(cgroups, c.running() ? c.pid() : 0);
                out.write(Json.MAPPER.writeValueAsBytes(StatsJson.build(c.id(), c.name(), now, prev, machine)));
                out.write('\n');
                out.flush();
                prev = now;
                Thread.sleep(intervalMillis);
            }
        } catch (IOException | PouchException gone) {
            // the reader left, or the container was removed
        }
    }
}
