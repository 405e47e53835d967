package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;
import io.pouch.daemon.container.devices.DeviceNode;

import java.util.List;
import java.util.function.BiFunction;

/**
 * {@code linux.resources.blockIO}: the block IO weight, per-device weights and per-device throttles, with
 * dockerd's ranges. A setting whose cgroup file this host lacks is refused (dockerd warns and drops a weight;
 * a user who asked for one would believe it applied).
 */
final class BlockIoResources {
    private BlockIoResources() {
    }

    static ObjectNode of(HostConfig hc, CgroupFacts facts, BiFunction<String, String, DeviceNode> blockDevice) {
        ObjectNode b = Json.MAPPER.createObjectNode();
        if (hc.blkioWeight() != 0) {
            checkWeight(hc.blkioWeight());
            if (!facts.blkioWeight()) {
                throw PouchException.invalidArgument("BlkioWeight " + hc.blkioWeight() + ": Your kernel does not"
                        + " support Block I/O weight or the cgroup is not mounted (no blkio.weight on this host);"
                        + " remove it to create the container");
            }
            b.put("weight", hc.blkioWeight());
        }
        List<HostConfig.WeightDevice> wd = hc.blkioWeightDevice();
        if (wd != null && !wd.isEmpty()) {
            if (!facts.blkioWeight()) {
                throw PouchException.invalidArgument("BlkioWeightDevice: Your kernel does not support Block I/O"
                        + " weight_device or the cgroup is not mounted (no blkio.weight_device on this host);"
                        + " remove it to create the container");
            }
            ArrayNode a = b.putArray("weightDevice");
            for (HostConfig.WeightDevice w : wd) {
                checkWeight(w.weight());
                DeviceNode n = blockDevice.apply("BlkioWeightDevice", w.path());
                a.addObject().put("major", n.major()).put("minor", n.minor()).put("weight", w.weight());
            }
        }
        throttle(b, facts, blockDevice, "BlkioDeviceReadBps", hc.blkioDeviceReadBps(), "throttleReadBpsDevice");
        throttle(b, facts, blockDevice, "BlkioDeviceWriteBps", hc.blkioDeviceWriteBps(), "throttleWriteBpsDevice");
        throttle(b, facts, blockDevice, "BlkioDeviceReadIOps", hc.blkioDeviceReadIOps(), "throttleReadIOPSDevice");
        throttle(b, facts, blockDevice, "BlkioDeviceWriteIOps", hc.blkioDeviceWriteIOps(),
                "throttleWriteIOPSDevice");
        return b;
    }

    private static void checkWeight(int w) {
        if (w < 10 || w > 1000) {
            throw PouchException.invalidArgument("Range of blkio weight is from 10 to 1000");
        }
    }

    private static void throttle(ObjectNode b, CgroupFacts facts, BiFunction<String, String, DeviceNode> blockDevice,
                                 String field, List<HostConfig.ThrottleDevice> list, String specField) {
        if (list == null || list.isEmpty()) {
            return;
        }
        if (!facts.blkioThrottle()) {
            throw PouchException.invalidArgument(field + ": Your kernel does not support IOPS/BPS Block I/O"
                    + " throttling or the cgroup is not mounted; remove it to create the container");
        }
        ArrayNode a = b.putArray(specField);
        for (HostConfig.ThrottleDevice t : list) {
            if (t.rate() < 0) {
                throw PouchException.invalidArgument(field + " " + t.path() + ": the rate cannot be negative");
            }
            DeviceNode n = blockDevice.apply(field, t.path());
            a.addObject().put("major", n.major()).put("minor", n.minor()).put("rate", t.rate());
        }
    }
}
