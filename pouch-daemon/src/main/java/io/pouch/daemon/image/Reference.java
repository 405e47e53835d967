package io.pouch.daemon.image;

import io.pouch.api.PouchException;

import java.util.regex.Pattern;

/**
 * An image reference as Docker's distribution/reference package parses and normalises it:
 * {@code busybox} is {@code docker.io/library/busybox:latest}, {@code localhost:5000/x} keeps its registry,
 * {@code name@sha256:<hex>} pins a digest. The grammar is the one of distribution/reference's regexp.go.
 *
 * @param domain registry host[:port], {@code docker.io} when none is given
 * @param path   repository path, with {@code library/} added for official docker.io images
 * @param tag    tag or null
 * @param digest {@code sha256:<hex>} or null
 */
public record Reference(String domain, String path, String tag, String digest) {
    public static final String DEFAULT_DOMAIN = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    private static final int NAME_TOTAL_LENGTH_MAX = 255;

    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*(?::[0-9]+)?";
    private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN);
    private static final Pattern PATH_PATTERN = Pattern.compile(PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*");
    private static final Pattern TAG_PATTERN = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST_PATTERN = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    /** Parses and normalises; adds {@code :latest} when neither tag nor digest is given. */
    public static Reference parseNormalized(String text) {
        Reference r = parseNormalizedName(text);
        return r.tag == null && r.digest == null ? new Reference(r.domain, r.path, DEFAULT_TAG, null) : r;
    }

    /** Parses and normalises without adding a default tag (a repository name, e.g. for {@code docker save busybox}). */
    public static Reference parseNormalizedName(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid();
        }
        if (HEX64.matcher(text).matches()) {
            throw PouchException.invalidArgument("invalid repository name (" + text
                    + "), cannot specify 64-byte hexadecimal strings");
        }
        String rest = text;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST_PATTERN.matcher(digest).matches()) {
                throw invalid();
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG_PATTERN.matcher(tag).matches()) {
                throw invalid();
            }
        }
        String domain;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        if (slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.equals(first.toLowerCase()))) {
            domain = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN_PATTERN.matcher(domain).matches()) {
                throw invalid();
            }
        } else {
            domain = DEFAULT_DOMAIN;
            path = rest;
        }
        if (!path.equals(path.toLowerCase())) {
            throw PouchException.invalidArgument("invalid reference format: repository name (" + path
                    + ") must be lowercase");
        }
        if (!PATH_PATTERN.matcher(path).matches()) {
            throw invalid();
        }
        if (domain.equals("index.docker.io")) {
            domain = DEFAULT_DOMAIN;
        }
        if (domain.equals(DEFAULT_DOMAIN) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (domain.length() + 1 + path.length() > NAME_TOTAL_LENGTH_MAX) {
            throw PouchException.invalidArgument("invalid reference format: repository name must not be more than "
                    + NAME_TOTAL_LENGTH_MAX + " characters");
        }
        return new Reference(domain, path, tag, digest);
    }

    public static boolean isValidTag(String tag) {
        return tag != null && TAG_PATTERN.matcher(tag).matches();
    }

    public static boolean isDigest(String text) {
        return text != null && DIGEST_PATTERN.matcher(text).matches();
    }

    private static PouchException invalid() {
        return PouchException.invalidArgument("invalid reference format");
    }

    /**
     * The name a tag or an import gives: repository {@code repo} with {@code tag}, else with the tag {@code repo}
     * carries, else with the default tag. A digest reference is refused.
     */
    static Reference newTag(String repo, String tag) {
        Reference r = parseNormalizedName(repo);
        if (r.digest() != null) {
            throw PouchException.invalidArgument("refusing to create a tag with a digest reference");
        }
        return r.tagged(tag);
    }

    /** This repository with {@code tag} when one is given, else with its own tag, else with the default tag. */
    Reference tagged(String tag) {
        return tag != null && !tag.isEmpty() ? withTag(tag) : this.tag != null ? this : withTag(DEFAULT_TAG);
    }

    /** The same repository with another tag (and no digest). */
    public Reference withTag(String newTag) {
        if (!isValidTag(newTag)) {
            throw PouchException.invalidArgument("invalid tag format");
        }
        return new Reference(domain, path, newTag, null);
    }

    /** {@code docker.io/library/busybox}. */
    public String name() {
        return domain + "/" + path;
    }

    /** {@code busybox} for docker.io official images, {@code user/x}, {@code localhost:5000/x}. */
    public String familiarName() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return name();
        }
        if (path.startsWith("library/") && path.indexOf('/', "library/".length()) < 0) {
            return path.substring("library/".length());
        }
        return path;
    }

    /** What docker shows: {@code busybox:latest}, {@code x@sha256:...}. */
    public String familiar() {
        return familiarName() + suffix();
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /**
     * The name of the containerd image record: {@code docker.io/library/busybox:latest}; a digest reference is
     * stored by digest only (the tag of {@code name:tag@digest} is informational, as in dockerd).
     */
    public String recordName() {
        return digest != null ? name() + "@" + digest : name() + ":" + (tag != null ? tag : DEFAULT_TAG);
    }

    @Override
    public String toString() {
        return name() + suffix();
    }
}
