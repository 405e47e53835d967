package io.pouch.daemon.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.Json;
import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds docker volume plugins the way dockerd does: a socket {@code <dir>/<name>.sock} or
 * {@code <dir>/<name>/<name>.sock} in {@code /run/docker/plugins} (and Pouch's {@code /run/pouch/plugins}), or a
 * spec file {@code <name>.spec} (a URL) / {@code <name>.json} ({@code {"Addr": URL}}) in {@code /etc/docker/plugins}
 * or {@code /usr/lib/docker/plugins}. A plugin is activated ({@code /Plugin.Activate}) once and must implement
 * {@code VolumeDriver}.
 */
final class PluginDrivers {
    private final List<Path> socketDirs;
    private final List<Path> specDirs;
    private final Map<String, PluginDriver> active = new ConcurrentHashMap<>();

    PluginDrivers(List<Path> socketDirs, List<Path> specDirs) {
        this.socketDirs = socketDirs;
        this.specDirs = specDirs;
    }

    static PluginDrivers defaults() {
        return new PluginDrivers(List.of(Path.of("/run/docker/plugins"), Path.of("/run/pouch/plugins")),
                List.of(Path.of("/etc/docker/plugins"), Path.of("/usr/lib/docker/plugins")));
    }

    VolumeDriver find(String name) {
        PluginDriver d = active.get(name);
        if (d != null && d.reachable()) {
            return d;
        }
        String address = locate(name);
        if (address == null) {
            throw PouchException.notFound("error looking up volume plugin " + name + ": plugin \"" + name
                    + "\" not found");
        }
        PluginDriver p = new PluginDriver(name, new PluginClient(name, address), address);
        JsonNode a = p.activate();
        boolean volume = false;
        for (JsonNode i : a.path("Implements")) {
            volume |= i.asText().equals("VolumeDriver");
        }
        if (!volume) {
            throw PouchException.notFound("error looking up volume plugin " + name + ": plugin \"" + name
                    + "\" found, but it does not implement VolumeDriver");
        }
        active.put(name, p);
        return p;
    }

    private String locate(String name) {
        if (!VolumeNames.valid(name) && !name.matches("[a-zA-Z0-9]")) {
            return null; // never a path
        }
        for (Path dir : socketDirs) {
            for (Path s : List.of(dir.resolve(name + ".sock"), dir.resolve(name).resolve(name + ".sock"))) {
                if (Files.exists(s)) {
                    return "unix://" + s;
                }
            }
        }
        for (Path dir : specDirs) {
            Path spec = dir.resolve(name + ".spec");
            Path json = dir.resolve(name + ".json");
            try {
                if (Files.isRegularFile(spec)) {
                    return Files.readString(spec).trim();
                }
                if (Files.isRegularFile(json)) {
                    return Json.MAPPER.readTree(json.toFile()).path("Addr").asText();
                }
            } catch (IOException e) {
                throw PouchException.internal("cannot read plugin spec for " + name + ": " + e.getMessage(), e);
            }
        }
        return null;
    }
}
