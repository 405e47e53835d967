package io.pouch.daemon.lxcfs;

import io.pouch.api.PouchException;

import java.util.Map;
import java.util.Set;

/**
 * Pouch's CRI switch for LXCFS: the annotation {@value #KEY} on the pod sandbox turns LXCFS on for the pod's
 * containers (Pouch's rule); the same annotation on one container decides for that container. Pure.
 */
public final class LxcfsAnnotation {
    public static final String KEY = "io.kubernetes.lxcfs.enabled";
    // Go's strconv.ParseBool, which Pouch parses the value with
    private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

    private LxcfsAnnotation() {
    }

    /**
     * @throws PouchException 400 naming the annotation when its value is not a boolean
     */
    public static boolean enabled(Map<String, String> sandboxAnnotations, Map<String, String> containerAnnotations) {
        String v = containerAnnotations.get(KEY);
        String where = "container";
        if (v == null) {
            v = sandboxAnnotations.get(KEY);
            where = "pod sandbox";
        }
        if (v == null || FALSE.contains(v)) {
            return false;
        }
        if (TRUE.contains(v)) {
            return true;
        }
        throw PouchException.invalidArgument("invalid " + where + " annotation " + KEY + "=\"" + v + "\": it must be"
                + " true or false");
    }
}
