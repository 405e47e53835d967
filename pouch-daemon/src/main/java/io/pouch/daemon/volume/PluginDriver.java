package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A docker volume plugin driving volumes through {@code /VolumeDriver.*} calls. */
final class PluginDriver implements VolumeDriver {
    private final String name;
    private final PluginClient client;
    private final String address;
    private volatile String scope;

    PluginDriver(String name, PluginClient client, String address) {
        this.name = name;
        this.client = client;
        this.address = address;
    }

    JsonNode activate() {
        return client.call("Plugin.Activate", Map.of());
    }

    /** A unix-socket plugin whose socket is gone must be looked up (and activated) again. */
    boolean reachable() {
        return !address.startsWith("unix://") || Files.exists(Path.of(address.substring(7)));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String scope() {
        if (scope == null) {
            try {
                String s = client.call("VolumeDriver.Capabilities", Map.of()).path("Capabilities").path("Scope")
                        .asText("");
                scope = s.isEmpty() ? "global" : s;
            } catch (RuntimeException e) {
                scope = "global"; // optional call: docker defaults to global too
            }
        }
        return scope;
    }

    @Override
    public void create(String volume, Map<String, String> options) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", volume);
        body.put("Opts", options);
        client.call("VolumeDriver.Create", body);
    }

    @Override
    public void remove(String volume) {
        client.call("VolumeDriver.Remove", Map.of("Name", volume));
    }

    @Override
    public Path mount(String volume, Map<String, String> options, String containerId) {
        String mp = client.call("VolumeDriver.Mount", Map.of("Name", volume, "ID", containerId))
                .path("Mountpoint").asText("");
        if (mp.isEmpty() || !mp.startsWith("/")) {
            throw PouchException.internal("volume plugin " + name + ": Mount of " + volume
                    + " answered no absolute Mountpoint", null);
        }
        return Path.of(mp);
    }

    @Override
    public void unmount(String volume, Map<String, String> options, String containerId, boolean lastUser) {
        client.call("VolumeDriver.Unmount", Map.of("Name", volume, "ID", containerId));
    }

    @Override
    public Path path(String volume) {
        String mp = client.call("VolumeDriver.Path", Map.of("Name", volume)).path("Mountpoint").asText("");
        return mp.isEmpty() ? null : Path.of(mp);
    }
}
