package io.pouch.daemon.api;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Headers dockerd puts on every answer; the CLI reads Api-Version and Ostype from any of them.
 *
 * @param server the {@code Server} header, {@code Pouch/<version> (linux)}
 */
record ResponseHeaders(String server) {
    static ResponseHeaders forVersion(String version) {
        return new ResponseHeaders("Pouch/" + version + " (linux)");
    }

    void addTo(HttpHeaders h) {
        h.set("Api-Version", ApiVersion.CURRENT.toString());
        h.set("Docker-Experimental", "false");
        h.set("Ostype", "linux");
        h.set("Server", server);
    }
}
