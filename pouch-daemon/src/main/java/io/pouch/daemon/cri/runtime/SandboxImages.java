package io.pouch.daemon.cri.runtime;

/** Makes the sandbox (pause) image present before a sandbox is created. */
public interface SandboxImages {
    /** @return the reference to create the sandbox from */
    String ensure(String reference);
}
