package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pouch.daemon.container.OciSpecBuilderTest.build;
import static io.pouch.daemon.container.OciSpecBuilderTest.hc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seccomp, SecurityOpt and capabilities in the built spec. */
class SecuritySpecTest {
    private static final SecurityOptions.Lsm NO_LSM = new SecurityOptions.Lsm(false, false);
    private static final SeccompProfile.Target AMD64 = new SeccompProfile.Target(Capabilities.DEFAULT, "amd64", 6, 1);

    private static List<String> allowed(JsonNode profile) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : profile.get("syscalls")) {
            if (r.path("action").asText().equals("SCMP_ACT_ALLOW") && r.path("args").isEmpty()) {
                r.get("names").forEach(n -> out.add(n.asText()));
            }
        }
        return out;
    }

    @Test
    void defaultProfileIsDockersAllowListResolvedForTheContainersCapabilities() {
        JsonNode p = SeccompProfile.defaultProfile(AMD64);
        assertEquals("SCMP_ACT_ERRNO", p.get("defaultAction").asText());
        assertEquals(1, p.get("defaultErrnoRet").asInt());
        assertEquals("[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]", p.get("architectures").toString());
        List<String> allowed = allowed(p);
        assertTrue(allowed.containsAll(List.of("read", "write", "mkdir", "arch_prctl", "chroot", "ptrace")));
        for (String denied : List.of("mount", "unshare", "setns", "bpf", "kexec_load", "init_module", "reboot",
                "riscv_flush_icache", "s390_runtime_instr")) {
            assertFalse(allowed.contains(denied), denied);
        }
        assertTrue(p.toString().contains("\"clone3\""), "clone3 answers ENOSYS without CAP_SYS_ADMIN");
        assertFalse(p.toString().contains("includes"), "conditions are resolved, not passed to runc");

        List<String> admin = new ArrayList<>(Capabilities.DEFAULT);
        admin.add("CAP_SYS_ADMIN");
        List<String> withAdmin = allowed(SeccompProfile.defaultProfile(new SeccompProfile.Target(admin, "amd64", 6, 1)));
        assertTrue(withAdmin.containsAll(List.of("mount", "unshare", "setns", "clone")));
        List<String> old = allowed(SeccompProfile.defaultProfile(new SeccompProfile.Target(Capabilities.DEFAULT,
                "amd64", 4, 4)));
        assertFalse(old.contains("ptrace"), "ptrace only from kernel 4.8, as moby's minKernel");
        JsonNode arm = SeccompProfile.defaultProfile(new SeccompProfile.Target(Capabilities.DEFAULT, "arm64", 6, 1));
        assertEquals("[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]", arm.get("architectures").toString());
        assertFalse(allowed(arm).contains("arch_prctl"));
    }

    @Test
    void userProfileIsResolvedLikeTheDefaultAndBadJsonIsRefusedWithDockerdsWords() {
        JsonNode p = SeccompProfile.fromJson("""
                {"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],
                 "syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"},
                             {"names":["chmod"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}}]}""",
                AMD64);
        assertEquals("[\"SCMP_ARCH_X86_64\"]", p.get("architectures").toString());
        assertEquals(1, p.get("syscalls").size());
        assertEquals("[\"mkdir\"]", p.at("/syscalls/0/names").toString());
        assertNull(SeccompProfile.fromJson("{}", AMD64), "an empty profile is no profile, as moby reads it");
        PouchException e = assertThrows(PouchException.class, () -> SeccompProfile.fromJson("/etc/prof.json", AMD64));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("Decoding seccomp profile failed: "), e.getMessage());
        e = assertThrows(PouchException.class, () -> SeccompProfile.fromJson(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x\"],\"archMap\":[{}]}", AMD64));
        assertTrue(e.getMessage().contains("use either 'architectures' or 'archMap'"));
    }

    @Test
    void securityOptsAreReadAsDockerdReadsThem() {
        SecurityOptions o = SecurityOptions.parse(List.of("no-new-privileges", "seccomp=unconfined",
                "label=disable", "apparmor=unconfined"), NO_LSM);
        assertTrue(o.noNewPrivileges());
        assertEquals("unconfined", o.seccomp());
        assertTrue(o.labelDisabled());
        assertFalse(SecurityOptions.parse(List.of("no-new-privileges=false"), NO_LSM).noNewPrivileges());
        assertTrue(SecurityOptions.parse(List.of("no-new-privileges:true"), NO_LSM).noNewPrivileges());
        assertNull(SecurityOptions.parse(List.of("seccomp=builtin"), NO_LSM).seccomp());
        assertTrue(SecurityOptions.parse(List.of("disable"), NO_LSM).labelDisabled());
        assertEquals("invalid --security-opt 1: \"foo\"", refused(List.of("foo")));
        assertEquals("invalid --security-opt 2: \"foo=bar\"", refused(List.of("foo=bar")));
        assertEquals("invalid --security-opt 2: \"no-new-privileges=xx\"", refused(List.of("no-new-privileges=xx")));
        assertEquals("invalid --security-opt 2: \"systempaths=unconfined\"",
                refused(List.of("systempaths=unconfined")), "the CLI turns it into empty MaskedPaths, as for dockerd");
        assertTrue(refused(List.of("apparmor=docker-default")).contains("AppArmor is not enabled on this host"));
        assertTrue(refused(List.of("label=type:spc_t")).contains("SELinux"));
        assertEquals("x", SecurityOptions.parse(List.of("apparmor=x"), new SecurityOptions.Lsm(true, false)).apparmor());
    }

    private static String refused(List<String> opts) {
        PouchException e = assertThrows(PouchException.class, () -> SecurityOptions.parse(opts, NO_LSM));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void specCarriesTheSecurityOptions() {
        JsonNode s = build(hc(Map.of("SecurityOpt", List.of("no-new-privileges", "seccomp=unconfined"))));
        assertTrue(s.at("/process/noNewPrivileges").asBoolean());
        assertTrue(s.at("/linux/seccomp").isMissingNode());
        assertFalse(build(hc(Map.of())).at("/process/noNewPrivileges").asBoolean());
        JsonNode custom = build(hc(Map.of("SecurityOpt", List.of(
                "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"))));
        assertEquals("SCMP_ACT_ALLOW", custom.at("/linux/seccomp/defaultAction").asText());
        assertEquals("mkdir", custom.at("/linux/seccomp/syscalls/0/names/0").asText());
        JsonNode privilegedCustom = build(hc(Map.of("Privileged", true, "SecurityOpt", List.of(
                "seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}"))));
        assertEquals("SCMP_ACT_ALLOW", privilegedCustom.at("/linux/seccomp/defaultAction").asText(),
                "moby applies a named profile even to a privileged container");
        JsonNode open = build(hc(Map.of("MaskedPaths", List.of(), "ReadonlyPaths", List.of())));
        assertEquals(0, open.at("/linux/maskedPaths").size());
        assertEquals(0, open.at("/linux/readonlyPaths").size());
        assertEquals(400, assertThrows(PouchException.class,
                () -> build(hc(Map.of("SecurityOpt", List.of("seccomp={bad"))))).status());
    }

    @Test
    void capabilitiesAllBothWays() {
        JsonNode addAll = build(hc(Map.of("CapAdd", List.of("ALL"), "CapDrop", List.of("NET_RAW"))));
        List<String> caps = OciSpecBuilderTest.caps(addAll);
        assertTrue(caps.contains("CAP_SYS_ADMIN"));
        assertFalse(caps.contains("CAP_NET_RAW"));
        assertEquals(List.of("CAP_CHOWN"), OciSpecBuilderTest.caps(build(hc(Map.of("CapDrop", List.of("ALL"),
                "CapAdd", List.of("chown"))))));
        // the resolved seccomp follows the capabilities: CAP_SYS_ADMIN brings mount
        assertTrue(addAll.at("/linux/seccomp").toString().contains("\"mount\""));
        assertFalse(build(hc(Map.of())).at("/linux/seccomp").toString().contains("\"mount\""));
    }
}
