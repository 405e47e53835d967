package io.pouch.daemon.registry;

import io.pouch.api.PouchException;

import java.io.IOException;

/**
 * A registry answered with an error, or could not be reached; {@code status} is what the Engine API answers. A
 * refused authentication is a 500 there (as dockerd answers, so the docker CLI does not prompt for a login in the
 * middle of a pull), so it is flagged {@link #unauthorized()} for clients that tell it apart (the CRI's codes).
 */
public final class RegistryException extends PouchException {
    private final boolean unauthorized;

    public RegistryException(int status, String message) {
        this(status, message, null, false);
    }

    public RegistryException(int status, String message, Throwable cause) {
        this(status, message, cause, false);
    }

    private RegistryException(int status, String message, Throwable cause, boolean unauthorized) {
        super(status, message, cause);
        this.unauthorized = unauthorized;
    }

    /** The registry (or its token server) refused the credentials or anonymous access: 500 with {@code message}. */
    public static RegistryException unauthorized(String message) {
        return new RegistryException(500, message, null, true);
    }

    /** Whether the registry refused the credentials or anonymous access (status 401 from it). */
    public boolean unauthorized() {
        return unauthorized || status() == 401;
    }

    /** Whether the registry could not be reached or the connection broke (nothing it answered). */
    public boolean unreachable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
