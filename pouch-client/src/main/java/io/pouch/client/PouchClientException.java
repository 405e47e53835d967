package io.pouch.client;

import io.pouch.api.PouchException;

/**
 * An error answer from the daemon ({@code status} is its HTTP status, {@code message} the {@code "message"} of the
 * JSON body), or a transport failure ({@code status} 0) such as the daemon not listening.
 */
public class PouchClientException extends PouchException {
    public PouchClientException(int status, String message) {
        super(status, message);
    }

    public PouchClientException(int status, String message, Throwable cause) {
        super(status, message, cause);
    }

    /** True when the daemon never answered: the CLI words these differently from daemon errors. */
    public boolean isTransportFailure() {
        return status() == 0;
    }
}
