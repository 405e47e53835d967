package io.pouch.daemon.cri.streaming;

import java.util.List;
import java.util.Optional;

/**
 * The remote command protocol versions (kubelet's names), newest first, and what each adds: v2 an error stream
 * apart from the data, v3 terminal resizing, v4 the exit status as a JSON Status, v5 (WebSocket only) the client's
 * half-close of a channel.
 */
enum RemoteCommandProtocol {
    V5("v5.channel.k8s.io", true, true),
    V4("v4.channel.k8s.io", true, true),
    V3("v3.channel.k8s.io", true, false),
    V2("v2.channel.k8s.io", false, false),
    V1("channel.k8s.io", false, false);

    static final List<RemoteCommandProtocol> SPDY = List.of(V4, V3, V2, V1);
    static final List<RemoteCommandProtocol> WEBSOCKET = List.of(V5, V4, V1);

    private final String wireName;
    private final boolean resizes;
    private final boolean jsonStatus;

    RemoteCommandProtocol(String wireName, boolean resizes, boolean jsonStatus) {
        this.wireName = wireName;
        this.resizes = resizes;
        this.jsonStatus = jsonStatus;
    }

    String wireName() {
        return wireName;
    }

    boolean resizes() {
        return resizes;
    }

    boolean jsonStatus() {
        return jsonStatus;
    }

    /** The channel 255 message "client closed channel N" is understood. */
    boolean halfClose() {
        return this == V5;
    }

    static Optional<RemoteCommandProtocol> byWireName(String name, List<RemoteCommandProtocol> among) {
        return among.stream().filter(p -> p.wireName.equals(name)).findFirst();
    }
}
