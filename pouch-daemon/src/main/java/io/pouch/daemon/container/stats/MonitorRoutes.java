package io.pouch.daemon.container.stats;

import containerd.services.tasks.v1.TasksOuterClass;
import io.grpc.StatusRuntimeException;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.daemon.api.HttpExchange;
import io.pouch.daemon.api.RouteRegistrar;
import io.pouch.daemon.api.Router;
import io.pouch.daemon.container.ContainerManager;
import io.pouch.daemon.containerd.Containerd;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@code GET /containers/{id}/top} and {@code GET /containers/{id}/stats}. */
public final class MonitorRoutes implements RouteRegistrar {
    private final Containerd ctd;
    private final ContainerManager containers;
    private final CgroupReader cgroups = new CgroupReader(Path.of("/sys/fs/cgroup"));

    public MonitorRoutes(Containerd ctd, ContainerManager containers) {
        this.ctd = ctd;
        this.containers = containers;
    }

    @Override
    public void register(Router r) {
        r.add("GET", "/containers/{id}/top", this::top);
        r.add("GET", "/containers/{id}/stats", this::stats);
    }

    /** As dockerd: the host's {@code ps} (default {@code -ef}), rows kept for the task's pids. */
    private void top(HttpExchange ex) throws Exception {
        ContainerManager.ProcessView c = containers.processView(ex.pathParam("id"));
        if (!c.running()) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        Set<Long> pids = new HashSet<>();
        try {
            ctd.tasks().listPids(TasksOuterClass.ListPidsRequest.newBuilder().setContainerId(c.id()).build())
                    .getProcessesList().forEach(p -> pids.add((long) p.getPid()));
        } catch (StatusRuntimeException e) {
            throw PouchException.conflict("Container " + c.id() + " is not running");
        }
        String psArgs = ex.query("ps_args");
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        if (psArgs == null || psArgs.isBlank()) {
            cmd.add("-ef");
        } else {
            for (String a : psArgs.trim().split("\\s+")) {
                cmd.add(a);
            }
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw PouchException.internal("ps: " + out.trim(), null);
        }
        ex.respond(200, Top.parse(out, pids));
    }

    private void stats(HttpExchange ex) throws Exception {
        String ref = ex.pathParam("id");
        ContainerManager.ProcessView c = containers.processView(ref);
        boolean stream = ex.queryBool("stream", true);
        boolean oneShot = ex.queryBool("one-shot", false);
        long machine = StatsJson.machineMemory();
        if (!stream) {
            StatsJson.Reading prev = null;
            if (!oneShot && c.running()) {
                // two readings a second apart, so the CPU percentage can be computed (dockerd does the same)
                prev = StatsJson.take(cgroups, c.pid());
                Thread.sleep(1000);
            }
            c = containers.processView(ref);
            StatsJson.Reading now = StatsJson.take(cgroups, c.running() ? c.pid() : 0);
            ex.respond(200, StatsJson.build(c.id(), c.name(), now, prev, machine));
            return;
        }
        OutputStream out = ex.startStream(200, "application/json", Map.of(), true);
        try (out) {
            StatsJson.Reading prev = null;
            while (!ex.clientGone()) {
                c = containers.processView(ref);
                StatsJson.Reading now = StatsJson.take(cgroups, c.running() ? c.pid() : 0);
                out.write(Json.MAPPER.writeValueAsBytes(StatsJson.build(c.id(), c.name(), now, prev, machine)));
                out.write('\n');
                out.flush();
                prev = now;
                Thread.sleep(1000);
            }
        } catch (IOException | PouchException gone) {
            // client left, or the container was removed
        }
    }
}
