package io.pouch.daemon.container.io;

/**
 * Something that holds the read ends of a process's output FIFOs while pouchd may be down (an entry in the
 * {@link FifoHolder}, or a {@link FifoKeeper} process where there is no holder).
 */
interface OutputHold {
    /** Lets go of the FIFOs (their output ended, or the IO was closed). Idempotent, never throws. */
    void release();
}
