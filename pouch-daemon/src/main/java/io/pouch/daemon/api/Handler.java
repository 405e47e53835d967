package io.pouch.daemon.api;

/** Serves one route. Runs on a virtual thread and may block, unless registered with {@link Router#addInline}. */
@FunctionalInterface
public interface Handler {
    void handle(HttpExchange exchange) throws Exception;
}
