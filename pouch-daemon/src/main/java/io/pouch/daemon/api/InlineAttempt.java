package io.pouch.daemon.api;

/**
 * A route's answer on the connection's event loop ({@link Router#addInline}). It never blocks: no I/O, no lock that
 * is held across I/O, no containerd call.
 */
@FunctionalInterface
public interface InlineAttempt {
    /**
     * @return true when it answered (or threw: the error is the answer); false when the answer needs a thread that
     * may block, having written nothing: then the route's handler runs on a virtual thread
     */
    boolean tryHandle(HttpExchange exchange) throws Exception;
}
