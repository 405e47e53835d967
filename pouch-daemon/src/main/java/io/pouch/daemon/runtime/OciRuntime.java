package io.pouch.daemon.runtime;

import io.pouch.daemon.containerd.RuncOptions;

import java.nio.file.Path;
import java.util.List;

/**
 * One OCI runtime containers can be created with, run by containerd's runc shim.
 *
 * @param name        what {@code --runtime} and {@code HostConfig.Runtime} call it
 * @param path        the runtime binary as configured (a name on PATH or an absolute path)
 * @param runtimeArgs arguments put before every command the shim gives the binary
 * @param shim        the shim's options; its binary is {@code path}, or the wrapper script that adds
 *                    {@code runtimeArgs} (the shim has no field for arguments)
 */
public record OciRuntime(String name, String path, List<String> runtimeArgs, RuncOptions shim) {
    public OciRuntime {
        runtimeArgs = List.copyOf(runtimeArgs);
    }

    /** gVisor's runsc: a sandbox kernel of its own, with networking of its own (netstack). */
    public boolean gvisor() {
        Path file = Path.of(path).getFileName();
        return file != null && file.toString().equals("runsc");
    }

    OciRuntime withShim(RuncOptions options) {
        return new OciRuntime(name, path, runtimeArgs, options);
    }
}
