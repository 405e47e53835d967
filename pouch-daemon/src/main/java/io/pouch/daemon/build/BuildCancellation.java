package io.pouch.daemon.build;

/**
 * A build whose client went away (the docker CLI interrupted, say): the RUN step running is killed, which fails it
 * and removes its container as any failed step's, and no further step starts.
 */
final class BuildCancellation {
    private static final Runnable NOTHING = () -> {
    };
    private volatile boolean cancelled;
    private volatile Runnable stopRunning = NOTHING;

    /** The client is gone: stops what runs, and the next {@link #check} fails the build. */
    void cancel() {
        cancelled = true;
        stopRunning.run();
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Fails the build once it is cancelled. */
    void check() {
        if (cancelled) {
            throw new DockerfileException("the build was cancelled: its client went away");
        }
    }

    /** While a step's process runs, a cancel runs {@code stop}; at once when the build is already cancelled. */
    void running(Runnable stop) {
        stopRunning = stop;
        if (cancelled) {
            stop.run();
        }
    }

    /** The step's process ended: a cancel has nothing to stop. */
    void idle() {
        stopRunning = NOTHING;
    }
}
