package io.pouch.api.container;

import io.pouch.api.PouchException;

/**
 * {@code HostConfig.NetworkMode} parsed: {@code default} and {@code bridge} (the default bridge network),
 * {@code host}, {@code none}, {@code container:<name|id>} (join another container's namespace) or the name of a
 * user-defined network.
 *
 * @param kind   which of those
 * @param target the container reference for {@link Kind#CONTAINER}, the network name for {@link Kind#NAMED},
 *               else null
 */
public record NetworkMode(Kind kind, String target) {
    private static final String CONTAINER_PREFIX = "container:";

    public enum Kind { DEFAULT, BRIDGE, HOST, NONE, CONTAINER, NAMED }

    public static final NetworkMode DEFAULT = new NetworkMode(Kind.DEFAULT, null);

    /**
     * Parses a stored or requested mode; null or empty is {@code default}. A {@code container:} without a reference
     * is refused with dockerd's message.
     */
    public static NetworkMode parse(String mode) {
        if (mode == null || mode.isEmpty()) {
            return DEFAULT;
        }
        if (mode.startsWith(CONTAINER_PREFIX)) {
            String ref = mode.substring(CONTAINER_PREFIX.length());
            if (ref.isEmpty()) {
                throw PouchException.invalidArgument(
                        "Invalid network mode: invalid container format container:<name|id>");
            }
            return new NetworkMode(Kind.CONTAINER, ref);
        }
        return switch (mode) {
            case "default" -> DEFAULT;
            case "bridge" -> new NetworkMode(Kind.BRIDGE, null);
            case "host" -> new NetworkMode(Kind.HOST, null);
            case "none" -> new NetworkMode(Kind.NONE, null);
            default -> new NetworkMode(Kind.NAMED, mode);
        };
    }

    /** {@code container:<id>}: joins the network namespace of the container with that id. */
    public static NetworkMode joining(String containerId) {
        return new NetworkMode(Kind.CONTAINER, containerId);
    }

    /** The mode as {@code HostConfig.NetworkMode} spells it. */
    public String value() {
        return switch (kind) {
            case DEFAULT -> "default";
            case BRIDGE -> "bridge";
            case HOST -> "host";
            case NONE -> "none";
            case CONTAINER -> CONTAINER_PREFIX + target;
            case NAMED -> target;
        };
    }

    public boolean isHost() {
        return kind == Kind.HOST;
    }

    /** The container whose namespace this mode joins, or null when it joins none. */
    public String joinedContainer() {
        return kind == Kind.CONTAINER ? target : null;
    }

    /** A mode that needs no network of pouchd's: default, bridge, host or none. */
    public boolean builtIn() {
        return kind != Kind.CONTAINER && kind != Kind.NAMED;
    }

    @Override
    public String toString() {
        return value();
    }
}
