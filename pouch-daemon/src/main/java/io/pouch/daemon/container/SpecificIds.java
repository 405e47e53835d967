package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Pouch's {@code SpecificID}: the id a create asks for instead of a random one, 64 lowercase hexadecimal
 * characters as Pouch requires, refused with a conflict when a container has it already. An id is held from
 * the check until its create ends, so two creates asking for the same id at once cannot both go on (the loser
 * would otherwise undo the winner's state directory).
 */
final class SpecificIds {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");

    private final Set<String> creating = ConcurrentHashMap.newKeySet();

    /** Refuses what is not a container id, in Pouch's terms. */
    static void validate(String id) {
        if (id.length() != 64) {
            throw PouchException.invalidArgument("SpecificID \"" + shown(id) + "\": a container id must be 64"
                    + " characters long, not " + id.length());
        }
        if (!ID.matcher(id).matches()) {
            throw PouchException.invalidArgument("SpecificID \"" + id + "\": the characters of a container id must"
                    + " be in '0123456789abcdef'");
        }
    }

    /**
     * The id of a new container: {@code specific} when given (held until {@link #release}), else a random one.
     *
     * @param exists whether a container has an id already
     */
    String take(String specific, Predicate<String> exists) {
        if (specific == null || specific.isEmpty()) {
            return ContainerCreator.newId();
        }
        validate(specific);
        if (exists.test(specific) || !creating.add(specific)) {
            throw PouchException.conflict("SpecificID " + specific + ": a container with this id already exists");
        }
        if (exists.test(specific)) { // created between the first check and the hold
            creating.remove(specific);
            throw PouchException.conflict("SpecificID " + specific + ": a container with this id already exists");
        }
        return specific;
    }

    /** The create of {@code id} has ended, made or undone. */
    void release(String id) {
        creating.remove(id);
    }

    private static String shown(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
