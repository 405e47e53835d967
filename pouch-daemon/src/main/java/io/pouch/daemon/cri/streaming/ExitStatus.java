package io.pouch.daemon.cri.streaming;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How a remote command ended, written to the client's error stream. Protocol v4 and later carry a Kubernetes
 * {@code metav1.Status} as JSON (clients read the exit code from its cause of type ExitCode); the earlier ones carry
 * the bare error text and nothing on success. Field names and texts are kubelet's, which clients match on.
 */
final class ExitStatus {
    private static final ObjectMapper JSON = new ObjectMapper();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"metadata", "status", "message", "reason", "details", "code"})
    record Status(Map<String, Object> metadata, String status, String message, String reason, Details details,
                  Integer code) {
    }

    record Details(List<Cause> causes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"reason", "message"})
    record Cause(String reason, String message) {
    }

    private ExitStatus() {
    }

    static Status success() {
        return new Status(Map.of(), "Success", null, null, null, null);
    }

    /** A process that ran and exited with {@code code} != 0; the message is the one containerd's CRI gives. */
    static Status nonZeroExit(List<String> cmd, int code) {
        String inner = "error executing command [" + String.join(" ", cmd) + "], exit code " + code;
        return new Status(Map.of(), "Failure", "command terminated with non-zero exit code: " + inner,
                "NonZeroExitCode", new Details(List.of(new Cause("ExitCode", Integer.toString(code)))), null);
    }

    /** The session failed before or instead of an exit code (no such container, the engine refused, ...). */
    static Status internalError(String error) {
        return new Status(Map.of(), "Failure", "Internal error occurred: " + error, "InternalError",
                new Details(List.of(new Cause(null, error))), 500);
    }

    /** The bytes for the error stream: JSON for v4 and later, else the message alone (nothing for success). */
    static byte[] encode(Status status, boolean json) {
        if (json) {
            try {
                return JSON.writeValueAsBytes(status);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("status not serializable: " + status, e);
            }
        }
        return status.message() == null ? new byte[0] : status.message().getBytes(StandardCharsets.UTF_8);
    }
}
