package io.pouch.daemon.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.containers.v1.ContainersOuterClass;

import java.util.List;
import java.util.Map;

/** containerd's container records: the runtime spec, the runtime and the snapshot a task will run from. */
public final class Containers {
    static final String SPEC_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
    static final String RUNC_OPTIONS_TYPE = "containerd.runc.v1.Options";
    /** containerd's runc shim, which runs runc, crun or any other OCI runtime binary named in its options. */
    public static final String SHIM = "io.containerd.runc.v2";

    private final Containerd ctd;

    public Containers(Containerd ctd) {
        this.ctd = ctd;
    }

    /**
     * A record for container {@code id} whose rootfs is the active snapshot of the same name.
     *
     * @param binary the OCI runtime binary the shim runs (runc, crun)
     */
    public void create(String lease, String id, String image, String binary, byte[] spec, Map<String, String> labels) {
        create(lease, id, image, RuncOptions.binary(binary), spec, labels);
    }

    /**
     * A record for container {@code id} whose rootfs is the active snapshot of the same name.
     *
     * @param runtime the OCI runtime the shim runs and its options
     */
    public void create(String lease, String id, String image, RuncOptions runtime, byte[] spec,
                       Map<String, String> labels) {
        ContainersGrpc.ContainersBlockingStub stub = lease == null ? ctd.containers()
                : Containerd.withLease(ctd.containers(), lease);
        Calls.run(() -> stub.create(ContainersOuterClass.CreateContainerRequest.newBuilder()
                .setContainer(ContainersOuterClass.Container.newBuilder()
                        .setId(id)
                        .setImage(image)
                        .setRuntime(ContainersOuterClass.Container.Runtime.newBuilder().setName(SHIM)
                                .setOptions(runcOptions(runtime)))
                        .setSpec(specAny(spec))
                        .setSnapshotter(Snapshots.SNAPSHOTTER)
                        .setSnapshotKey(id)
                        .putAllLabels(labels))
                .build()));
    }

    private static Any runcOptions(RuncOptions runtime) {
        return Any.newBuilder().setTypeUrl(RUNC_OPTIONS_TYPE).setValue(runtime.toProto().toByteString()).build();
    }

    private static Any specAny(byte[] spec) {
        return Any.newBuilder().setTypeUrl(SPEC_TYPE).setValue(ByteString.copyFrom(spec)).build();
    }

    public void updateSpec(String id, byte[] spec) {
        Calls.run(() -> ctd.containers().update(ContainersOuterClass.UpdateContainerRequest.newBuilder()
                .setContainer(ContainersOuterClass.Container.newBuilder().setId(id).setSpec(specAny(spec)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("spec"))
                .build()));
    }

    /** The runtime spec containerd holds for the container (JSON bytes). */
    public byte[] spec(String id) {
        return Calls.call(() -> ctd.containers().get(ContainersOuterClass.GetContainerRequest.newBuilder().setId(id)
                .build()).getContainer().getSpec().getValue().toByteArray());
    }

    /** Deletes the record; one already gone is fine. */
    public void delete(String id) {
        Calls.ignoreNotFound(() -> ctd.containers().delete(ContainersOuterClass.DeleteContainerRequest.newBuilder()
                .setId(id).build()));
    }

    public List<String> ids() {
        return Calls.call(() -> ctd.containers().list(ContainersOuterClass.ListContainersRequest.getDefaultInstance())
                .getContainersList().stream().map(ContainersOuterClass.Container::getId).toList());
    }
}
