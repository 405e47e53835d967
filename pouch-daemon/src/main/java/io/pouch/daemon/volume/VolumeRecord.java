package io.pouch.daemon.volume;

import java.util.Map;

/**
 * What pouchd persists about one volume ({@code <home>/volume/<name>/opts.json}). Immutable.
 *
 * @param options the driver options given at create (local: type, device, o)
 */
public record VolumeRecord(String name, String driver, Map<String, String> labels, Map<String, String> options,
                           String createdAt) {
    /** Docker marks anonymous volumes with this label; {@code rm -v} and a default prune remove only those. */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    public boolean anonymous() {
        return labels != null && labels.containsKey(ANONYMOUS_LABEL);
    }
}
