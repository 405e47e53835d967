package io.pouch.daemon.api;

/** Serves one route. Runs on a virtual thread; may block. */
@FunctionalInterface
public interface Handler {
    void handle(HttpExchange exchange) throws Exception;
}
