package io.pouch.daemon.cri.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pouch.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A sandbox's pod network as set up through CNI: its addresses (the primary first) and the namespace the plugins
 * were given, kept so that status answers and the tear-down on stop need no plugin call.
 *
 * @param netns   the network namespace path the CNI plugins saw; empty for host networking
 * @param ips     the pod's addresses, the primary first
 * @param tornDown whether CNI DEL has run since the last ADD
 */
record SandboxNetwork(@JsonProperty("netns") String netns, @JsonProperty("ips") List<String> ips,
                      @JsonProperty("tornDown") boolean tornDown) {
    static final SandboxNetwork NONE = new SandboxNetwork("", List.of(), true);

    SandboxNetwork {
        ips = ips == null ? List.of() : List.copyOf(ips);
        netns = netns == null ? "" : netns;
    }

    SandboxNetwork withTornDown() {
        return new SandboxNetwork(netns, ips, true);
    }

    byte[] toJson() {
        try {
            return Json.MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SandboxNetwork fromJson(byte[] b) {
        try {
            return Json.MAPPER.readValue(b, SandboxNetwork.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
