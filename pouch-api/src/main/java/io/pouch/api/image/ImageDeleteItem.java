package io.pouch.api.image;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One element of the {@code DELETE /images/{name}} answer: exactly one of the two is set. */
public record ImageDeleteItem(@JsonProperty("Untagged") String untagged, @JsonProperty("Deleted") String deleted) {
    public static ImageDeleteItem untagged(String ref) {
        return new ImageDeleteItem(ref, null);
    }

    public static ImageDeleteItem deleted(String id) {
        return new ImageDeleteItem(null, id);
    }
}
