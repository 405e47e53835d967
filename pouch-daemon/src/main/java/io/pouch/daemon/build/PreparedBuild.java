package io.pouch.daemon.build;

/** A build whose context is extracted and whose Dockerfile parsed; closing drops the extracted context. */
public record PreparedBuild(BuildRequest request, BuildContext context, Dockerfile dockerfile)
        implements AutoCloseable {
    @Override
    public void close() {
        context.close();
    }
}
