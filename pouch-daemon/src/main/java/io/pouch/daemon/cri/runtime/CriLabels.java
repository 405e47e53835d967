package io.pouch.daemon.cri.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels that make an engine container a CRI sandbox or a CRI container. They sit beside kubelet's own labels
 * (io.kubernetes.pod.name, ...) so {@code pouch ps --filter label=...} finds pods; the CRI answers only kubelet's
 * labels back.
 */
final class CriLabels {
    static final String TYPE = "io.pouch.cri.type";
    static final String SANDBOX = "sandbox";
    static final String CONTAINER = "container";
    /** On a container: the sandbox it belongs to. */
    static final String SANDBOX_ID = "io.pouch.cri.sandbox-id";

    private CriLabels() {
    }

    static Map<String, String> sandbox(Map<String, String> kubelet) {
        Map<String, String> m = new LinkedHashMap<>(kubelet);
        m.put(TYPE, SANDBOX);
        return m;
    }

    static Map<String, String> container(Map<String, String> kubelet, String sandboxId) {
        Map<String, String> m = new LinkedHashMap<>(kubelet);
        m.put(TYPE, CONTAINER);
        m.put(SANDBOX_ID, sandboxId);
        return m;
    }

    /** Kubelet's labels alone. */
    static Map<String, String> kubelet(Map<String, String> labels) {
        Map<String, String> m = new LinkedHashMap<>();
        if (labels != null) {
            labels.forEach((k, v) -> {
                if (!k.startsWith("io.pouch.cri.")) {
                    m.put(k, v);
                }
            });
        }
        return m;
    }

    /** dockershim's names, which also make a second sandbox or container with the same metadata a conflict. */
    static String sandboxName(String name, String namespace, String uid, long attempt) {
        return String.join("_", "k8s", "POD", name, namespace, uid, Long.toString(attempt));
    }

    static String containerName(String name, String podName, String namespace, String uid, long attempt) {
        return String.join("_", "k8s", name, podName, namespace, uid, Long.toString(attempt));
    }
}
