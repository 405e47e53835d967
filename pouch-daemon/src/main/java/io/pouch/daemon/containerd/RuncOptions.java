package io.pouch.daemon.containerd;

/**
 * The options of containerd's runc shim ({@code containerd.runc.v1.Options}) a container record carries: which OCI
 * runtime binary the shim runs and how. The shim has no field for runtime arguments; a runtime that needs some is
 * given a wrapper script as its binary.
 *
 * @param binaryName   the OCI runtime binary (a name on the shim's PATH or an absolute path)
 * @param root         the runtime's state root ({@code --root}); the shim appends the containerd namespace; null:
 *                     the shim's default, {@code /run/containerd/runc}
 * @param noPivotRoot  run without pivot_root
 * @param noNewKeyring do not make a session keyring per container
 * @param shimCgroup   the cgroup the shim itself is put in; null: none
 * @param ioUid        owner of the FIFOs the shim opens
 * @param ioGid        group of the FIFOs the shim opens
 */
public record RuncOptions(String binaryName, String root, boolean noPivotRoot, boolean noNewKeyring,
                          String shimCgroup, int ioUid, int ioGid) {

    /** Only the binary; every other option at the shim's default. */
    public static RuncOptions binary(String binaryName) {
        return new RuncOptions(binaryName, null, false, false, null, 0, 0);
    }

    public RuncOptions withBinaryName(String name) {
        return new RuncOptions(name, root, noPivotRoot, noNewKeyring, shimCgroup, ioUid, ioGid);
    }

    containerd.runc.v1.Oci.Options toProto() {
        containerd.runc.v1.Oci.Options.Builder b = containerd.runc.v1.Oci.Options.newBuilder()
                .setBinaryName(binaryName).setNoPivotRoot(noPivotRoot).setNoNewKeyring(noNewKeyring)
                .setIoUid(ioUid).setIoGid(ioGid);
        if (root != null) {
            b.setRoot(root);
        }
        if (shimCgroup != null) {
            b.setShimCgroup(shimCgroup);
        }
        return b.build();
    }
}
