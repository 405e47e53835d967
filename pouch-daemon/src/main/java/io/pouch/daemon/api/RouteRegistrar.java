package io.pouch.daemon.api;

/** Each feature (system, container, image, ...) adds its routes to the router; the HTTP layer only translates. */
@FunctionalInterface
public interface RouteRegistrar {
    void register(Router router);
}
