package io.pouch.daemon.cri.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pouch.api.Json;
import io.pouch.cri.v1.ContainerConfig;
import io.pouch.cri.v1.PodSandboxConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/** The "info" of verbose status answers: a JSON object for people and debugging tools (crictl inspect). */
final class VerboseInfo {
    private VerboseInfo() {
    }

    static String sandbox(String id, int pid, String netns, String runtime, PodSandboxConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("pid", pid);
        m.put("netNamespacePath", netns);
        m.put("runtimeType", runtime == null ? "runc" : runtime);
        if (config != null) {
            m.put("hostname", config.getHostname());
            m.put("logDirectory", config.getLogDirectory());
            m.put("cgroupParent", config.getLinux().getCgroupParent());
        }
        return json(m);
    }

    static String container(String id, String sandboxId, int pid, String runtime, ContainerConfig config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("sandboxID", sandboxId);
        m.put("pid", pid);
        m.put("runtimeType", runtime == null ? "runc" : runtime);
        if (config != null) {
            m.put("image", config.getImage().getImage());
            m.put("command", config.getCommandList());
            m.put("args", config.getArgsList());
            m.put("logPath", config.getLogPath());
        }
        return json(m);
    }

    private static String json(Map<String, Object> m) {
        try {
            return Json.MAPPER.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            return "{}";
        }
    }
}
