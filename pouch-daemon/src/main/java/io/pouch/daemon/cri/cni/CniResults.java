package io.pouch.daemon.cri.cni;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The pod's addresses read from a plugin result of any spec version: "ips" (0.3.0 and later, each optionally
 * pointing at an entry of "interfaces") or "ip4"/"ip6" (0.1.0, 0.2.0).
 */
final class CniResults {
    private CniResults() {
    }

    /**
     * The addresses of the pod's side, without prefix length, IPv4 before IPv6 (containerd's choice of the
     * primary address). An address whose "interface" is a host-side interface (no "sandbox") is not the pod's.
     */
    static List<String> podIps(JsonNode result) {
        List<String> all = new ArrayList<>();
        if (result == null || !result.isObject()) {
            return all;
        }
        JsonNode ips = result.get("ips");
        if (ips != null && ips.isArray()) {
            JsonNode interfaces = result.path("interfaces");
            for (JsonNode ip : ips) {
                JsonNode idx = ip.get("interface");
                if (idx != null && idx.canConvertToInt() && interfaces.isArray()) {
                    JsonNode itf = interfaces.get(idx.asInt());
                    if (itf != null && itf.path("sandbox").asText("").isEmpty()) {
                        continue;
                    }
                }
                add(all, ip.path("address").asText(""));
            }
        } else {
            add(all, result.path("ip4").path("ip").asText(""));
            add(all, result.path("ip6").path("ip").asText(""));
        }
        List<String> ordered = new ArrayList<>(all.stream().filter(a -> !a.contains(":")).toList());
        ordered.addAll(all.stream().filter(a -> a.contains(":")).toList());
        return ordered;
    }

    private static void add(List<String> out, String cidr) {
        if (cidr.isEmpty()) {
            return;
        }
        int slash = cidr.indexOf('/');
        String ip = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!out.contains(ip)) {
            out.add(ip);
        }
    }
}
