package io.pouch.daemon.network;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One published port of one endpoint, with the host port actually chosen.
 *
 * @param hostIp "" = every host address (shown as 0.0.0.0)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PortMapping(String proto, int containerPort, String hostIp, int hostPort) {
    public String key() {
        return containerPort + "/" + proto;
    }

    public String shownHostIp() {
        return hostIp == null || hostIp.isEmpty() ? "0.0.0.0" : hostIp;
    }
}
