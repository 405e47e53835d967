package io.pouch.daemon.container.rich;

import io.pouch.api.PouchException;

/**
 * Pouch's rich container modes: which init runs as PID 1. Named as Pouch's API names them.
 */
public enum RichMode {
    /** The host's dumb-init, bind-mounted into the container, with the user's command as its child. */
    DUMB_INIT("dumb-init"),
    /** The image's {@code /sbin/init} (busybox or SysV init). */
    SBIN_INIT("sbin-init"),
    /** The image's {@code /sbin/init} being systemd, with the mounts, cgroups and stop signal it needs. */
    SYSTEMD("systemd");

    private final String apiName;

    RichMode(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** Pouch's default, dumb-init, for an empty mode; a 400 naming an unknown one. */
    public static RichMode parse(String name) {
        if (name == null || name.isEmpty()) {
            return DUMB_INIT;
        }
        for (RichMode m : values()) {
            if (m.apiName.equals(name)) {
                return m;
            }
        }
        throw PouchException.invalidArgument("not supported rich mode: " + name
                + " (RichMode is one of dumb-init, sbin-init, systemd)");
    }
}
