package io.pouch.daemon.build;

/** A build whose context is extracted and whose Dockerfile parsed; closing drops the extracted context. */
public record PreparedBuild(BuildRequest request, BuildContext context, Dockerfile dockerfile,
                            BuildCancellation cancellation) implements AutoCloseable {
    public PreparedBuild(BuildRequest request, BuildContext context, Dockerfile dockerfile) {
        this(request, context, dockerfile, new BuildCancellation());
    }

    /** The client went away: the build stops (see {@link BuildCancellation}). */
    public void cancel() {
        cancellation.cancel();
    }

    @Override
    public void close() {
        context.close();
    }
}
