package io.pouch.daemon.cri.runtime;

import io.pouch.api.PouchException;
import io.pouch.cri.v1.SecurityProfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Kubelet's seccomp and AppArmor requests as the engine's security options. Seccomp: RuntimeDefault is the
 * engine's default profile (Docker's), Unconfined none, Localhost the profile file kubelet names. AppArmor is not
 * enabled on hosts this engine runs on, so only "unconfined" (or nothing) is accepted, and a profile is refused.
 */
final class SecurityProfiles {
    private SecurityProfiles() {
    }

    /**
     * The engine's {@code seccomp=...} option for the request; null for the default profile.
     *
     * @param profile null when kubelet did not set the field (then the deprecated path decides; neither set is
     *                unconfined, as containerd treats it)
     */
    static String seccomp(SecurityProfile profile, String deprecatedPath) {
        if (profile != null) {
            return switch (profile.getProfileType()) {
                case RuntimeDefault -> null;
                case Unconfined -> "seccomp=unconfined";
                case Localhost -> "seccomp=" + readProfile(profile.getLocalhostRef());
                default -> throw PouchException.invalidArgument("unknown seccomp profile type "
                        + profile.getProfileTypeValue());
            };
        }
        String p = deprecatedPath == null ? "" : deprecatedPath;
        if (p.isEmpty() || p.equals("runtime/default") || p.equals("docker/default")) {
            return p.isEmpty() ? "seccomp=unconfined" : null; // an empty path is kubelet's "unconfined"
        }
        if (p.equals("unconfined")) {
            return "seccomp=unconfined";
        }
        if (p.startsWith("localhost/")) {
            return "seccomp=" + readProfile(p.substring("localhost/".length()));
        }
        throw PouchException.invalidArgument("unsupported seccomp profile \"" + p + "\": runtime/default, unconfined"
                + " or localhost/<path>");
    }

    private static String readProfile(String ref) {
        if (ref == null || ref.isEmpty()) {
            throw PouchException.invalidArgument("seccomp profile type Localhost needs a localhost_ref (the profile's"
                    + " path)");
        }
        Path path = Path.of(ref.startsWith("localhost/") ? ref.substring("localhost/".length()) : ref);
        if (!path.isAbsolute()) {
            throw PouchException.invalidArgument("seccomp profile path " + ref + " must be absolute");
        }
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw PouchException.invalidArgument("cannot load seccomp profile " + path + ": " + e.getMessage());
        }
    }

    /** Refuses an AppArmor profile: AppArmor is not enabled in this engine. */
    static void requireNoAppArmor(SecurityProfile profile, String deprecatedProfile) {
        boolean asked = profile != null && profile.getProfileType() != SecurityProfile.ProfileType.Unconfined
                && profile.getProfileType() != SecurityProfile.ProfileType.RuntimeDefault;
        String old = deprecatedProfile == null ? "" : deprecatedProfile;
        if (asked || (!old.isEmpty() && !old.equals("unconfined") && !old.equals("runtime/default"))) {
            throw PouchException.invalidArgument("AppArmor profile " + (asked ? profile.getLocalhostRef() : old)
                    + " cannot be applied: AppArmor is not enabled in this engine");
        }
    }

    /** Refuses SELinux labels: this engine does not label containers. */
    static void requireNoSelinux(io.pouch.cri.v1.SELinuxOption o) {
        if (o != null && !(o.getUser().isEmpty() && o.getRole().isEmpty() && o.getType().isEmpty()
                && o.getLevel().isEmpty())) {
            throw PouchException.invalidArgument("SELinux options " + List.of(o.getUser(), o.getRole(), o.getType(),
                    o.getLevel()) + " cannot be applied: SELinux labelling is not supported by this engine");
        }
    }
}
