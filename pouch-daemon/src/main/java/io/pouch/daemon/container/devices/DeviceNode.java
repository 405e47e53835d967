package io.pouch.daemon.container.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

/**
 * A device node runc creates in the container ({@code linux.devices} of the OCI spec): the host node's type,
 * numbers, permission bits and owner, at {@code path} inside the container.
 *
 * @param type     {@code c} (character), {@code b} (block) or {@code p} (FIFO)
 * @param fileMode the permission bits only (what dockerd copies from the host node)
 */
public record DeviceNode(String path, String type, long major, long minor, int fileMode, int uid, int gid) {

    /** This node at another path. */
    public DeviceNode at(String containerPath) {
        return new DeviceNode(containerPath, type, major, minor, fileMode, uid, gid);
    }

    public ObjectNode toSpec() {
        ObjectNode d = Json.MAPPER.createObjectNode();
        d.put("path", path);
        d.put("type", type);
        d.put("major", major);
        d.put("minor", minor);
        d.put("fileMode", fileMode);
        d.put("uid", uid);
        d.put("gid", gid);
        return d;
    }

    /** The cgroup rule that lets the container use this node with {@code access} ({@code rwm} letters). */
    public DeviceRule rule(String access) {
        return new DeviceRule(true, type, major, minor, access);
    }
}
