package io.pouch.daemon.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;

import java.util.List;

/**
 * pouchd's default seccomp profile, as data.
 *
 * <p>Why a deny list: Docker's profile is an allow list of ~350 syscalls kept in step with each kernel and libc;
 * copying it here would be a large opaque blob nobody reviews. This profile allows by default and denies, with
 * EPERM, the syscalls Docker's profile keeps away from unprivileged containers (kernel modules, kexec, reboot,
 * mounts, keyrings, bpf, perf, clock setting, namespace creation...). That is readable and reviewable, but it is
 * WEAKER than Docker's: a syscall added by a future kernel is allowed here until someone lists it, whereas
 * Docker's allow list denies it. The capability set remains the main barrier for most of these anyway.
 */
public final class SeccompProfile {
    /**
     * Denied outright with EPERM. personality is not here: Docker allows a handful of its values (0, 8, 0x20000,
     * 0x20008, the 0xffffffff query) and a deny list cannot say "all but these" in one rule; allowing it is the
     * less surprising side.
     */
    static final List<String> DENIED = List.of(
            "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
            "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "get_mempolicy",
            "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
            "mbind", "mount", "mount_setattr", "move_mount", "move_pages", "name_to_handle_at", "nfsservctl",
            "open_by_handle_at", "open_tree", "perf_event_open", "pivot_root", "process_vm_readv",
            "process_vm_writev", "query_module", "quotactl", "quotactl_fd", "reboot", "request_key",
            "set_mempolicy", "setns", "settimeofday", "stime", "swapoff", "swapon", "_sysctl", "sysfs",
            "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86", "vm86old");

    /** clone flags that create namespaces: clone with any of them is denied (unshare is denied outright). */
    static final long[] CLONE_NAMESPACE_FLAGS = {
            0x00020000L, // CLONE_NEWNS
            0x02000000L, // CLONE_NEWCGROUP
            0x04000000L, // CLONE_NEWUTS
            0x08000000L, // CLONE_NEWIPC
            0x10000000L, // CLONE_NEWUSER
            0x20000000L, // CLONE_NEWPID
            0x40000000L, // CLONE_NEWNET
    };

    private static final int EPERM = 1;
    private static final int ENOSYS = 38;

    private SeccompProfile() {
    }

    /** The {@code linux.seccomp} object of the OCI spec. */
    public static ObjectNode defaultProfile() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("defaultAction", "SCMP_ACT_ALLOW");
        p.putArray("architectures").add("SCMP_ARCH_X86_64").add("SCMP_ARCH_X86").add("SCMP_ARCH_X32");
        ArrayNode rules = p.putArray("syscalls");
        ObjectNode deny = rules.addObject();
        ArrayNode names = deny.putArray("names");
        DENIED.forEach(names::add);
        deny.put("action", "SCMP_ACT_ERRNO");
        deny.put("errnoRet", EPERM);
        // One rule per flag: libseccomp can only test (arg & mask) == value, and rules for one syscall are ORed,
        // so "any namespace flag set" becomes one masked-equality rule per flag.
        for (long flag : CLONE_NAMESPACE_FLAGS) {
            ObjectNode r = rules.addObject();
            r.putArray("names").add("clone");
            r.put("action", "SCMP_ACT_ERRNO");
            r.put("errnoRet", EPERM);
            ObjectNode arg = r.putArray("args").addObject();
            arg.put("index", 0);
            arg.put("value", flag);
            arg.put("valueTwo", flag);
            arg.put("op", "SCMP_CMP_MASKED_EQ");
        }
        // clone3 passes its flags in memory, which seccomp cannot inspect: answer ENOSYS so libc falls back to
        // clone, whose flags the rules above do check (Docker does the same).
        ObjectNode c3 = rules.addObject();
        c3.putArray("names").add("clone3");
        c3.put("action", "SCMP_ACT_ERRNO");
        c3.put("errnoRet", ENOSYS);
        return p;
    }
}
