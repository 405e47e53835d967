package io.pouch.daemon.container.devices;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * The CDI spec files of the host, read again for every request (a driver may add or change them at any time):
 * {@code *.json} in {@code /etc/cdi} then {@code /var/run/cdi}, a later file's kind replacing an earlier's, as
 * the CDI library orders them. The directories can be changed with the system property
 * {@value #DIRS_PROPERTY} (a colon-separated list). CDI also allows YAML spec files; this engine has no YAML
 * parser, so {@code *.yaml} files are not read (and are logged as skipped).
 */
public final class CdiRegistry {
    public static final String DIRS_PROPERTY = "pouch.cdi.spec-dirs";
    private static final Logger LOG = Logger.getLogger(CdiRegistry.class.getName());

    private final List<Path> dirs;

    public CdiRegistry(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** The directories from {@value #DIRS_PROPERTY}, or CDI's defaults. */
    public static CdiRegistry fromSystem() {
        String p = System.getProperty(DIRS_PROPERTY);
        List<Path> dirs = new ArrayList<>();
        if (p == null || p.isBlank()) {
            dirs.add(Path.of("/etc/cdi"));
            dirs.add(Path.of("/var/run/cdi"));
        } else {
            for (String d : p.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        return new CdiRegistry(dirs);
    }

    /** The directories read, in order. */
    public List<Path> dirs() {
        return dirs;
    }

    /** Kind → spec, from every readable spec file (a broken file is logged and skipped, as the CDI cache does). */
    public Map<String, CdiSpec> specs() {
        Map<String, CdiSpec> out = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            TreeSet<Path> files = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                ds.forEach(files::add);
            } catch (IOException e) {
                LOG.warning("cannot list CDI spec dir " + dir + ": " + e.getMessage());
            }
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    LOG.warning("CDI spec " + f + " skipped: only JSON spec files are supported");
                } else if (name.endsWith(".json")) {
                    try {
                        CdiSpec s = CdiSpec.parse(Files.readString(f));
                        out.put(s.kind(), s);
                    } catch (IOException | IllegalArgumentException e) {
                        LOG.warning("CDI spec " + f + " skipped: " + e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    /**
     * The edits {@code requests} ask for, in order: for each device, its spec's common edits (once per spec) and
     * its own. A {@code cdi} request names devices by their qualified names; a GPU request ({@code --gpus}) takes
     * {@code nvidia.com/gpu} devices (all of them for a count of -1, else the named IDs).
     */
    public List<CdiSpec.Edits> resolve(List<HostConfig.DeviceRequest> requests) {
        List<CdiSpec.Edits> out = new ArrayList<>();
        if (requests == null || requests.isEmpty()) {
            return out;
        }
        Map<String, CdiSpec> specs = specs();
        List<String> unresolved = new ArrayList<>();
        List<String> kindsDone = new ArrayList<>();
        for (HostConfig.DeviceRequest r : requests) {
            for (String name : names(r, specs)) {
                int eq = name.indexOf('=');
                CdiSpec s = eq < 0 ? null : specs.get(name.substring(0, eq));
                CdiSpec.Edits e = s == null ? null : s.devices().get(name.substring(eq + 1));
                if (e == null) {
                    unresolved.add(name);
                    continue;
                }
                if (!kindsDone.contains(s.kind())) {
                    kindsDone.add(s.kind());
                    out.add(s.common());
                }
                out.add(e);
            }
        }
        if (!unresolved.isEmpty()) {
            throw PouchException.invalidArgument("CDI device injection failed: unresolvable CDI devices "
                    + String.join(", ", unresolved));
        }
        return out;
    }

    /** The qualified device names one request stands for. */
    static List<String> names(HostConfig.DeviceRequest r, Map<String, CdiSpec> specs) {
        String driver = r.driver() == null ? "" : r.driver();
        List<String> ids = r.deviceIds() == null ? List.of() : r.deviceIds();
        if ("cdi".equals(driver)) {
            for (String id : ids) {
                if (!CdiSpec.isQualified(id)) {
                    throw PouchException.invalidArgument("CDI device injection failed: invalid CDI device name "
                            + "\"" + id + "\": it must be vendor.com/class=name");
                }
            }
            return ids;
        }
        boolean gpu = r.capabilities() != null && r.capabilities().stream().anyMatch(c -> c != null
                && c.contains("gpu"));
        CdiSpec nvidia = specs.get("nvidia.com/gpu");
        if ((driver.isEmpty() || "nvidia".equals(driver)) && gpu && nvidia != null) {
            if (!ids.isEmpty()) {
                return ids.stream().map(id -> CdiSpec.isQualified(id) ? id : "nvidia.com/gpu=" + id).toList();
            }
            List<String> all = new ArrayList<>(new TreeSet<>(nvidia.devices().keySet()));
            if (r.count() < 0) {
                return nvidia.devices().containsKey("all") ? List.of("nvidia.com/gpu=all")
                        : all.stream().map(n -> "nvidia.com/gpu=" + n).toList();
            }
            all.remove("all");
            if (r.count() > all.size()) {
                throw PouchException.invalidArgument("could not select " + r.count() + " GPUs: only "
                        + all.size() + " are listed in the nvidia.com/gpu CDI spec");
            }
            return all.subList(0, Math.max(r.count(), 0)).stream().map(n -> "nvidia.com/gpu=" + n).toList();
        }
        throw PouchException.invalidArgument("could not select device driver \"" + driver + "\" with capabilities: "
                + capabilities(r.capabilities()));
    }

    /** Go's fmt of a [][]string: {@code [[gpu]]}. */
    private static String capabilities(List<List<String>> caps) {
        StringBuilder b = new StringBuilder("[");
        if (caps != null) {
            for (int i = 0; i < caps.size(); i++) {
                b.append(i > 0 ? " " : "").append('[')
                        .append(caps.get(i) == null ? "" : String.join(" ", caps.get(i))).append(']');
            }
        }
        return b.append(']').toString();
    }
}
