package io.pouch.daemon.volume;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Map;

/**
 * One user mount of a container, as planned at create ({@code containers/<id>/mounts.json}).
 *
 * @param type         "bind", "volume" or "tmpfs"
 * @param name         the volume's name (volume only; null in a plan until the anonymous name is drawn)
 * @param source       host path of a bind; empty for volumes (found at start) and tmpfs
 * @param mode         the options as the user wrote them (inspect's Mode)
 * @param propagation  bind propagation ("rprivate" by default for binds, "" for volumes)
 * @param copyData     fill an empty volume from the image's content at the destination (not with nocopy)
 * @param anonymous    a volume without a user-given name: removed by {@code rm -v}
 * @param createSource {@code -v /host:/ctr} creates a missing host directory, {@code --mount} refuses it
 * @param tmpfsOptions mount options of a tmpfs mount, comma separated
 * @param driverOpts   options for a volume created by this mount ({@code volume-opt})
 * @param created      this container's create made the volume (undone with it if the create fails)
 */
public record PlannedMount(String type, String name, String source, String destination, String driver, String mode,
                           boolean rw, String propagation, boolean copyData, boolean anonymous, boolean createSource,
                           String tmpfsOptions, Map<String, String> driverOpts, Map<String, String> labels,
                           boolean created) {

    @JsonIgnore
    public boolean isVolume() {
        return "volume".equals(type);
    }

    PlannedMount withName(String n, boolean wasCreated) {
        return new PlannedMount(type, n, source, destination, driver, mode, rw, propagation, copyData, anonymous,
                createSource, tmpfsOptions, driverOpts, labels, wasCreated);
    }

    PlannedMount withDriver(String d) {
        return new PlannedMount(type, name, source, destination, d, mode, rw, propagation, copyData, anonymous,
                createSource, tmpfsOptions, driverOpts, labels, created);
    }

    PlannedMount withRw(boolean w, String m) {
        return new PlannedMount(type, name, source, destination, driver, m, w, propagation, copyData, anonymous,
                createSource, tmpfsOptions, driverOpts, labels, false);
    }
}
