package io.pouch.daemon.events;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * One engine event in Docker's wire shape ({@code GET /events}): Type container|image|network|volume|daemon,
 * Action create|start|die|..., Actor with ID and Attributes (name, image, exitCode, labels...). The legacy
 * fields status/id/from are filled for containers and images as dockerd does.
 */
public record Event(
        @JsonProperty("Type") String type,
        @JsonProperty("Action") String action,
        @JsonProperty("Actor") Actor actor,
        @JsonProperty("scope") String scope,
        @JsonProperty("time") long time,
        @JsonProperty("timeNano") long timeNano,
        @JsonProperty("status") String status,
        @JsonProperty("id") String id,
        @JsonProperty("from") String from) {

    public record Actor(@JsonProperty("ID") String id, @JsonProperty("Attributes") Map<String, String> attributes) {
    }

    public static Event of(String type, String action, String actorId, Map<String, String> attributes) {
        long nanos = System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L;
        boolean legacy = type.equals("container") || type.equals("image");
        String from = attributes.get("image");
        return new Event(type, action, new Actor(actorId, Map.copyOf(attributes)), "local",
                nanos / 1_000_000_000L, nanos, legacy ? action : null, legacy ? actorId : null,
                type.equals("container") ? from : null);
    }
}
