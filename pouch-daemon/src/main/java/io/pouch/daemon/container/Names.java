package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Container names: Docker's validation rule and its adjective_surname generator (with our own word lists). */
public final class Names {
    static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private static final List<String> ADJECTIVES = List.of("admiring", "bold", "brave", "calm", "clever",
            "cool", "dazzling", "eager", "elated", "epic", "festive", "focused", "friendly", "gallant", "gentle",
            "happy", "hopeful", "jolly", "keen", "kind", "laughing", "lucid", "modest", "nifty", "nostalgic",
            "peaceful", "quirky", "relaxed", "serene", "sharp", "stoic", "sweet", "tender", "upbeat", "vibrant",
            "wizardly", "youthful", "zealous");

    // People who shaped computing and science, as Docker does (its list is longer; this one is ours).
    private static final List<String> SURNAMES = List.of("babbage", "bartik", "booth", "curie", "dijkstra",
            "easley", "euler", "feynman", "goldberg", "goodall", "hamilton", "hopper", "hypatia", "johnson",
            "kepler", "knuth", "lamarr", "lovelace", "mccarthy", "meitner", "noether", "pascal", "ritchie",
            "shannon", "sinoussi", "thompson", "torvalds", "turing", "wing", "wozniak", "yalow");

    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** Strips the optional leading slash and checks the rule; returns the bare name. */
    public static String validate(String name) {
        String bare = name.startsWith("/") ? name.substring(1) : name;
        if (!VALID.matcher(bare).matches()) {
            throw PouchException.invalidArgument("Invalid container name (" + name
                    + "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return bare;
    }

    /**
     * A random adjective_surname not yet taken; after a few collisions a digit is appended, as Docker does.
     */
    public static String generate(Predicate<String> taken) {
        for (int i = 0; ; i++) {
            String n = ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_"
                    + SURNAMES.get(RANDOM.nextInt(SURNAMES.size()));
            if (i >= 10) {
                n += RANDOM.nextInt(10);
            }
            if (!taken.test(n)) {
                return n;
            }
        }
    }
}
