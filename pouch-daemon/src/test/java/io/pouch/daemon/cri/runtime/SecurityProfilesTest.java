package io.pouch.daemon.cri.runtime;

import io.pouch.cri.v1.SELinuxOption;
import io.pouch.cri.v1.SecurityProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.pouch.daemon.cri.runtime.CriAsserts.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The deprecated string fields kubelet may still send, beside the typed profiles SandboxSpecsTest covers. */
class SecurityProfilesTest {
    @Test
    void deprecatedSeccompPaths(@TempDir Path dir) throws Exception {
        assertEquals("seccomp=unconfined", SecurityProfiles.seccomp(null, ""));
        assertEquals("seccomp=unconfined", SecurityProfiles.seccomp(null, null));
        assertEquals("seccomp=unconfined", SecurityProfiles.seccomp(null, "unconfined"));
        assertNull(SecurityProfiles.seccomp(null, "runtime/default"));
        assertNull(SecurityProfiles.seccomp(null, "docker/default"));
        Path profile = dir.resolve("p.json");
        Files.writeString(profile, "{}");
        assertEquals("seccomp={}", SecurityProfiles.seccomp(null, "localhost/" + profile));
        refused(() -> SecurityProfiles.seccomp(null, "localhost/relative.json"), "relative.json", "absolute");
        refused(() -> SecurityProfiles.seccomp(null, "strict"), "\"strict\"");
    }

    @Test
    void theTypedFieldWinsOverTheDeprecatedPath() {
        SecurityProfile unconfined = SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Unconfined).build();
        assertEquals("seccomp=unconfined", SecurityProfiles.seccomp(unconfined, "runtime/default"));
        assertNull(SecurityProfiles.seccomp(SecurityProfile.getDefaultInstance(), ""));
    }

    @Test
    void localhostWithoutAReferenceIsRefused() {
        refused(() -> SecurityProfiles.seccomp(SecurityProfile.newBuilder()
                .setProfileType(SecurityProfile.ProfileType.Localhost).build(), ""), "localhost_ref");
    }

    @Test
    void deprecatedAppArmorNames() {
        SecurityProfiles.requireNoAppArmor(null, "");
        SecurityProfiles.requireNoAppArmor(null, null);
        SecurityProfiles.requireNoAppArmor(null, "unconfined");
        SecurityProfiles.requireNoAppArmor(null, "runtime/default");
        refused(() -> SecurityProfiles.requireNoAppArmor(null, "localhost/k8s-deny-write"), "k8s-deny-write");
    }

    @Test
    void anySelinuxFieldIsRefusedAndNoneIsAccepted() {
        SecurityProfiles.requireNoSelinux(null);
        SecurityProfiles.requireNoSelinux(SELinuxOption.getDefaultInstance());
        refused(() -> SecurityProfiles.requireNoSelinux(SELinuxOption.newBuilder().setUser("system_u").build()),
                "system_u");
        refused(() -> SecurityProfiles.requireNoSelinux(SELinuxOption.newBuilder().setRole("object_r").build()),
                "object_r");
        refused(() -> SecurityProfiles.requireNoSelinux(SELinuxOption.newBuilder().setLevel("s0:c1").build()),
                "s0:c1");
    }
}
