package io.pouch.daemon.image;

/**
 * Which fields an image answer carries, as they changed over the Engine API's versions; the route picks one from
 * the request's version.
 */
public enum ImageFields {
    /**
     * Before API 1.44: {@code VirtualSize}, the {@code <none>:<none>} and {@code <none>@<none>} placeholders of an
     * untagged image in lists, and {@code Container}/{@code ContainerConfig} in inspect.
     */
    BEFORE_1_44,
    /** API 1.44: {@code Container}/{@code ContainerConfig} in inspect still. */
    BEFORE_1_45,
    /** The current fields. */
    CURRENT;

    boolean virtualSize() {
        return this == BEFORE_1_44;
    }

    boolean containerFields() {
        return this != CURRENT;
    }
}
