package io.pouch.cli.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.PouchCommand;
import io.pouch.cli.format.Units;
import io.pouch.client.PouchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code pouch update} and {@code pouch upgrade}: change a live container in place. */
public final class LifecycleCommands {
    private LifecycleCommands() {
    }

    @Command(name = "update", description = "Update the configuration of one or more containers")
    public static class Update extends PouchCommand {
        @Parameters(arity = "1..*", paramLabel = "CONTAINER")
        List<String> containers;

        @Option(names = {"-m", "--memory"}, description = "Memory limit")
        String memory;

        @Option(names = "--memory-swap", description = "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
        String memorySwap;

        @Option(names = "--memory-reservation", description = "Memory soft limit")
        String memoryReservation;

        @Option(names = "--cpus", description = "Number of CPUs")
        String cpus;

        @Option(names = {"-c", "--cpu-shares"}, description = "CPU shares (relative weight)")
        Long cpuShares;

        @Option(names = "--cpu-period", description = "Limit CPU CFS (Completely Fair Scheduler) period")
        Long cpuPeriod;

        @Option(names = "--cpu-quota", description = "Limit CPU CFS (Completely Fair Scheduler) quota")
        Long cpuQuota;

        @Option(names = "--cpuset-cpus", description = "CPUs in which to allow execution (0-3, 0,1)")
        String cpusetCpus;

        @Option(names = "--cpuset-mems", description = "MEMs in which to allow execution (0-3, 0,1)")
        String cpusetMems;

        @Option(names = "--pids-limit", description = "Tune container pids limit (set -1 for unlimited)")
        Long pidsLimit;

        @Option(names = "--blkio-weight", description = "Block IO (relative weight), between 10 and 1000, or 0 to disable")
        Integer blkioWeight;

        @Option(names = "--restart", description = "Restart policy to apply when a container exits")
        String restart;

        @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set environment variables")
        List<String> env;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set meta data on a container")
        List<String> labels;

        @Option(names = "--disk-quota", description = "Update disk quota for container (/=10g)")
        List<String> diskQuota;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            putBytes(body, "Memory", memory, "-m, --memory");
            putBytes(body, "MemorySwap", memorySwap, "--memory-swap");
            putBytes(body, "MemoryReservation", memoryReservation, "--memory-reservation");
            if (cpus != null) {
                body.put("NanoCpus", CreateRequest.nanoCpus(cpus));
            }
            putLong(body, "CpuShares", cpuShares);
            putLong(body, "CpuPeriod", cpuPeriod);
            putLong(body, "CpuQuota", cpuQuota);
            putLong(body, "PidsLimit", pidsLimit);
            if (cpusetCpus != null) {
                body.put("CpusetCpus", cpusetCpus);
            }
            if (cpusetMems != null) {
                body.put("CpusetMems", cpusetMems);
            }
            if (blkioWeight != null) {
                body.put("BlkioWeight", blkioWeight);
            }
            if (restart != null) {
                body.set("RestartPolicy", CreateRequest.restartPolicy(restart));
            }
            if (env != null) {
                body.set("Env", Json.MAPPER.valueToTree(env));
            }
            if (labels != null) {
                body.set("Label", Json.MAPPER.valueToTree(labels));
            }
            if (diskQuota != null && !diskQuota.isEmpty()) {
                body.set("DiskQuota", Json.MAPPER.valueToTree(PouchFlags.diskQuota(diskQuota)));
            }
            if (body.isEmpty()) {
                throw new CliException("you must provide one or more flags when using this command", 1);
            }
            PouchClient client = client();
            boolean failed = false;
            for (String c : containers) {
                try {
                    JsonNode r = client.post("/containers/" + PouchClient.escape(c) + "/update", null, body).json();
                    for (JsonNode w : r.path("Warnings")) {
                        err().println(w.asText());
                    }
                    out().println(c);
                } catch (RuntimeException e) {
                    report(e);
                    failed = true;
                }
            }
            return failed ? 1 : 0;
        }

        private static void putBytes(ObjectNode body, String field, String value, String flag) {
            if (value == null) {
                return;
            }
            if (value.equals("-1")) {
                body.put(field, -1L);
                return;
            }
            try {
                body.put(field, Units.ramInBytes(value));
            } catch (RuntimeException e) {
                throw new CliException("invalid argument \"" + value + "\" for \"" + flag + "\" flag: " + e.getMessage(), 125);
            }
        }

        private static void putLong(ObjectNode body, String field, Long v) {
            if (v != null) {
                body.put(field, v);
            }
        }
    }

    @Command(name = "upgrade", description = "Upgrade a container with a new image and args")
    public static class Upgrade extends PouchCommand {
        @Option(names = "--image", required = true, description = "Specify image of the new container")
        String image;

        @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
        String entrypoint;

        @Parameters(index = "0", paramLabel = "CONTAINER")
        String container;

        @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "0..*")
        List<String> command;

        @Override
        public Integer call() {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.put("Image", image);
            if (command != null && !command.isEmpty()) {
                body.set("Cmd", Json.MAPPER.valueToTree(command));
            }
            if (entrypoint != null) {
                body.set("Entrypoint", Json.MAPPER.valueToTree(List.of(entrypoint)));
            }
            client().post("/containers/" + PouchClient.escape(container) + "/upgrade", null, body);
            out().println(container);
            return 0;
        }
    }
}
