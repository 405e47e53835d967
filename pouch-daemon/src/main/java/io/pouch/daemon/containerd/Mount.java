package io.pouch.daemon.containerd;

import containerd.types.MountOuterClass;

import java.util.List;

/** One mount of a snapshot or a task's rootfs, as containerd describes it ({@code mount(8)} type, source, options). */
public record Mount(String type, String source, String target, List<String> options) {
    public Mount {
        options = List.copyOf(options);
    }

    static Mount of(MountOuterClass.Mount m) {
        return new Mount(m.getType(), m.getSource(), m.getTarget(), m.getOptionsList());
    }

    static List<Mount> of(List<MountOuterClass.Mount> mounts) {
        return mounts.stream().map(Mount::of).toList();
    }

    MountOuterClass.Mount toProto() {
        return MountOuterClass.Mount.newBuilder().setType(type).setSource(source).setTarget(target)
                .addAllOptions(options).build();
    }

    static List<MountOuterClass.Mount> toProto(List<Mount> mounts) {
        return mounts.stream().map(Mount::toProto).toList();
    }
}
