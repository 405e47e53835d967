package io.pouch.daemon.container.checkpoint;

import io.pouch.daemon.sys.FileTrees;
import io.pouch.api.PouchException;
import io.pouch.daemon.container.CheckpointStart;
import io.pouch.daemon.container.ContainerBrief;
import io.pouch.daemon.container.ContainerService;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Docker's and Pouch's container checkpoints. A checkpoint is a directory named after it, under the container's
 * {@code checkpoints} directory or under the {@code dir} the request gives (dockerd's layout), so listing and
 * removing work on any host. Making one, and starting from one, need CRIU: where {@code criu check} fails, both are
 * refused with criu's reason; where it works they are refused too, as this engine does not drive containerd's
 * checkpoint and restore yet.
 */
public final class Checkpoints implements CheckpointStart {
    /** dockerd's restrictedNamePattern, which checkpoint IDs must match. */
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private final ContainerService containers;
    private final Path containersDir;
    private final CriuProbe criu;

    public Checkpoints(ContainerService containers, Path containersDir, CriuProbe criu) {
        this.containers = containers;
        this.containersDir = containersDir;
        this.criu = criu;
    }

    /** {@code POST /containers/{id}/checkpoints}. */
    public void create(String ref, String checkpointId, String dir, boolean exit) {
        ContainerBrief c = containers.brief(ref);
        Path target = checkpointDir(c, validId(checkpointId), dir);
        if (!c.state().running()) {
            throw PouchException.conflict("Container " + ref + " is not running");
        }
        if (Files.exists(target)) {
            throw PouchException.conflict("checkpoint with name " + checkpointId + " already exists for container "
                    + ref);
        }
        throw refusal("checkpoint");
    }

    /** {@code GET /containers/{id}/checkpoints}: Docker's {@code [{"Name": ...}]}, sorted by name. */
    public List<Map<String, String>> list(String ref, String dir) {
        ContainerBrief c = containers.brief(ref);
        Path base = base(c, dir);
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
                    .map(n -> Map.of("Name", n)).toList();
        } catch (IOException e) {
            throw PouchException.internal("cannot list checkpoints in " + base + ": " + e.getMessage(), e);
        }
    }

    /** {@code DELETE /containers/{id}/checkpoints/{checkpoint}}: 404 for one the container does not have. */
    public void delete(String ref, String checkpointId, String dir) {
        ContainerBrief c = containers.brief(ref);
        Path target = existing(c, ref, checkpointId, dir);
        try {
            FileTrees.delete(target);
        } catch (IOException e) {
            throw PouchException.internal("cannot remove checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** {@code POST /containers/{id}/start?checkpoint=}: 404 for a checkpoint that is not there, else refused. */
    @Override
    public void startFrom(String ref, String checkpointId, String dir) {
        existing(containers.brief(ref), ref, checkpointId, dir);
        throw refusal("restore from a checkpoint");
    }

    private Path existing(ContainerBrief c, String ref, String checkpointId, String dir) {
        Path target = checkpointDir(c, validId(checkpointId), dir);
        if (!Files.isDirectory(target)) {
            throw PouchException.notFound("checkpoint " + checkpointId + " does not exist for container " + ref);
        }
        return target;
    }

    private PouchException refusal(String what) {
        CriuProbe.Result r = criu.result();
        if (!r.works()) {
            return new PouchException(501, "cannot " + what + ": this host lacks a working CRIU, which checkpoints"
                    + " need: " + r.problem());
        }
        return new PouchException(501, "cannot " + what + ": this engine does not drive containerd's checkpoint"
                + " and restore yet");
    }

    private Path base(ContainerBrief c, String dir) {
        if (dir == null || dir.isEmpty()) {
            return containersDir.resolve(c.id()).resolve("checkpoints");
        }
        Path p = Path.of(dir);
        if (!p.isAbsolute()) {
            throw PouchException.invalidArgument("checkpoint dir " + dir + " must be an absolute path");
        }
        return p;
    }

    private Path checkpointDir(ContainerBrief c, String id, String dir) {
        return base(c, dir).resolve(id);
    }

    static String validId(String id) {
        if (id == null || id.isEmpty()) {
            throw PouchException.invalidArgument("checkpoint id should not be empty");
        }
        if (!ID.matcher(id).matches()) {
            throw PouchException.invalidArgument("invalid checkpoint ID (" + id + "), only [a-zA-Z0-9][a-zA-Z0-9_.-]"
                    + " are allowed");
        }
        return id;
    }
}
