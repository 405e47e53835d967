package io.pouch.daemon.image;

import java.util.List;

/** One image to save: its id and the RepoTags to write for it. */
public record SaveItem(String id, List<String> repoTags) {
}
