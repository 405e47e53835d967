package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code HostConfig.SecurityOpt} read as dockerd reads it ({@code key=value}, the deprecated {@code key:value},
 * bare {@code no-new-privileges}, {@code disable}), with dockerd's messages for what it cannot read. The docker
 * CLI turns {@code systempaths=unconfined} into empty {@code MaskedPaths} and {@code ReadonlyPaths} before it
 * sends the request, so, as for dockerd, it is no daemon option.
 *
 * @param seccomp         null for Docker's default profile, {@code "unconfined"}, or a profile's JSON text
 * @param apparmor        the AppArmor profile asked for, or null
 */
public record SecurityOptions(String seccomp, boolean noNewPrivileges, String apparmor, boolean labelDisabled) {
    public static final String UNCONFINED = "unconfined";

    /** Which Linux security modules the host runs; read once. */
    public record Lsm(boolean appArmor, boolean selinux) {
        public static final Lsm HOST = new Lsm(
                "Y".equals(read("/sys/module/apparmor/parameters/enabled")), Files.isDirectory(Path.of("/sys/fs/selinux"))
                && read("/sys/fs/selinux/enforce") != null);

        private static String read(String p) {
            try {
                return Files.readString(Path.of(p)).trim();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    public static SecurityOptions parse(List<String> opts, Lsm lsm) {
        String seccomp = null;
        boolean nnp = false;
        String apparmor = null;
        boolean labelDisabled = false;
        if (opts == null) {
            return new SecurityOptions(null, false, null, false);
        }
        for (String opt : opts) {
            if (opt == null) {
                continue;
            }
            if (opt.equals("no-new-privileges")) {
                nnp = true;
                continue;
            }
            if (opt.equals("disable")) {
                labelDisabled = true;
                continue;
            }
            int sep = opt.indexOf('=') >= 0 ? opt.indexOf('=') : opt.indexOf(':');
            if (sep < 0) {
                throw PouchException.invalidArgument("invalid --security-opt 1: \"" + opt + "\"");
            }
            String k = opt.substring(0, sep);
            String v = opt.substring(sep + 1);
            switch (k) {
                case "label" -> {
                    if (!v.equals("disable")) {
                        throw PouchException.invalidArgument("--security-opt " + quoted(opt) + ": SELinux labels "
                                + (lsm.selinux() ? "are not supported by this engine"
                                : "need SELinux, which is not enabled on this host")
                                + "; only label=disable is accepted");
                    }
                    labelDisabled = true;
                }
                case "apparmor" -> {
                    if (!lsm.appArmor() && !v.equals(UNCONFINED)) {
                        throw PouchException.invalidArgument("--security-opt " + quoted(opt) + ": AppArmor is not"
                                + " enabled on this host, so no AppArmor profile can be applied; remove the option"
                                + " (or use apparmor=unconfined)");
                    }
                    apparmor = v;
                }
                case "seccomp" -> seccomp = v.equals("builtin") ? null : v;
                case "no-new-privileges" -> nnp = switch (v.toLowerCase(java.util.Locale.ROOT)) {
                    case "1", "t", "true" -> true;
                    case "0", "f", "false" -> false;
                    default -> throw PouchException.invalidArgument("invalid --security-opt 2: " + quoted(opt));
                };
                case "writable-cgroups" -> throw PouchException.invalidArgument("--security-opt " + quoted(opt)
                        + ": writable cgroups are not supported by this engine; remove the option");
                default -> throw PouchException.invalidArgument("invalid --security-opt 2: " + quoted(opt));
            }
        }
        return new SecurityOptions(seccomp, nnp, apparmor, labelDisabled);
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
