package io.pouch.daemon.registry;

import io.pouch.api.PouchException;

/** A registry answered with an error, or could not be reached; {@code status} is what the Engine API answers. */
public final class RegistryException extends PouchException {
    public RegistryException(int status, String message) {
        super(status, message);
    }

    public RegistryException(int status, String message, Throwable cause) {
        super(status, message, cause);
    }
}
