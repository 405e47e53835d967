package io.pouch.cli.image;

/** Splits image references the way the docker CLI needs for pull and tag ("host:5000/ns/app:1" has tag "1"). */
public record Reference(String repository, String tag, String digest) {

    public static Reference parse(String ref) {
        String digest = null;
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = ref.substring(at + 1);
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        int slash = ref.lastIndexOf('/');
        if (colon > slash) {
            return new Reference(ref.substring(0, colon), ref.substring(colon + 1), digest);
        }
        return new Reference(ref, null, digest);
    }

    /** "busybox" becomes "busybox:latest", as docker shows it in "Unable to find image 'busybox:latest' locally". */
    public static String withDefaultTag(String ref) {
        Reference r = parse(ref);
        return r.tag == null && r.digest == null ? ref + ":latest" : ref;
    }
}
