package io.pouch.daemon.container.commit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A {@code POST /commit} as the route read it.
 *
 * @param container the container to commit, as the user named it
 * @param config    a container config whose run settings override the container's (docker-java sends one), or null
 * @param changes   Dockerfile instructions applied last ({@code CMD ["sh"]}, {@code ENV A=b})
 * @param repo      repository to name the image in, or null/empty for an untagged image
 */
public record CommitRequest(String container, JsonNode config, List<String> changes, String comment, String author,
                            String repo, String tag) {
    public CommitRequest {
        changes = List.copyOf(changes);
    }
}
