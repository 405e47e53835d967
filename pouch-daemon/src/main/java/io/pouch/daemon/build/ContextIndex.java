package io.pouch.daemon.build;

import io.pouch.api.build.DockerIgnore;
import io.pouch.api.build.Globs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a build context holds, read from its tar as it streams in: each path's type, permission bits, link target
 * and content digest. A COPY's cache key is computed from it, so a build whose COPY steps all hit the cache never
 * writes the context to disk. Paths are the context's relative names ("" is its root), in tar-name order.
 */
final class ContextIndex {
    /** One path: type 'f' (file), 'd' (directory), 'l' (symlink) or 'o' (anything else, never copied). */
    record Entry(char type, int mode, String link, byte[] digest) {
    }

    private static final Entry ROOT = new Entry('d', 0755, null, null);
    private final TreeMap<String, Entry> entries = new TreeMap<>();
    /** A hard link in the tar: a link to a file outside the copied tree has no tar of its own, the disk copy serves. */
    private boolean hardLinks;

    void sawHardLink() {
        hardLinks = true;
    }

    /** Records {@code name} (clean, relative); a later entry of the same name wins, as extraction does. */
    void put(String name, Entry e) {
        if (name.isEmpty()) {
            return;
        }
        // parents a tar leaves out are made by extraction with the default mode
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            entries.putIfAbsent(name.substring(0, slash), ROOT);
        }
        entries.put(name, e);
    }

    Entry get(String name) {
        return name.isEmpty() || name.equals(".") ? ROOT : entries.get(name);
    }

    /**
     * Drops what the ignore rules leave out, as {@link BuildContext} prunes the extracted tree: an excluded
     * directory stays when something under it is kept.
     */
    void ignore(DockerIgnore ignore) {
        if (ignore.isEmpty()) {
            return;
        }
        for (String name : new ArrayList<>(entries.descendingKeySet())) {
            if (!ignore.excludes(name)) {
                continue;
            }
            if (entries.get(name).type() == 'd') {
                String under = entries.higherKey(name + "/");
                if (under != null && under.startsWith(name + "/")) {
                    continue;
                }
            }
            entries.remove(name);
        }
    }

    /** A context path a COPY takes: {@code name} ("" for the root), a directory or not. */
    record Match(String name, boolean dir) {
        /** Its name at the destination: the last component. */
        String base() {
            return name.substring(name.lastIndexOf('/') + 1);
        }
    }

    /**
     * The context paths a COPY of {@code sources} (paths or patterns, already cleaned) takes, in order; null when
     * only the extracted tree can tell: a source that is missing or is (or goes through) a symlink, or a context with
     * hard links. The lookup on
     * disk then answers, or refuses it with its error.
     */
    List<Match> select(List<String> sources) {
        if (hardLinks) {
            return null;
        }
        List<Match> out = new ArrayList<>();
        for (String source : sources) {
            List<String> matched = new ArrayList<>();
            if (Globs.hasWildcard(source)) {
                Pattern p = Globs.compile(source);
                for (String name : entries.keySet()) {
                    if (p.matcher(name).matches()) {
                        matched.add(name);
                    }
                }
            } else {
                matched.add(source.equals(".") ? "" : source);
            }
            if (matched.isEmpty()) {
                return null;
            }
            for (String name : matched) {
                Entry e = get(name);
                if (e == null || e.type() == 'l' || throughLink(name)) {
                    return null;
                }
                out.add(new Match(name, e.type() == 'd'));
            }
        }
        return out;
    }

    /**
     * The digest of what a COPY of {@code matches} takes (names, types, modes with {@code chmod} applied, link
     * targets, contents), as {@code file:<hex>} (one file) or {@code multi:<hex>}, as Docker's history shows it.
     */
    String digest(List<Match> matches, Integer chmod) {
        MessageDigest md = SourceTar.sha256();
        for (Match m : matches) {
            md.update((m.base() + "\0" + m.dir() + "\0").getBytes(StandardCharsets.UTF_8));
            if (!m.dir()) {
                add(md, m.base(), get(m.name()), chmod);
                continue;
            }
            for (Map.Entry<String, Entry> u : under(m.name()).entrySet()) {
                add(md, m.name().isEmpty() ? u.getKey() : u.getKey().substring(m.name().length() + 1), u.getValue(),
                        chmod);
            }
        }
        return (matches.size() == 1 && !matches.getFirst().dir() ? "file:" : "multi:") + SourceTar.hex(md);
    }

    /** The entries under directory {@code name} ("" for the root), in name order. */
    SortedMap<String, Entry> under(String name) {
        return name.isEmpty() ? entries : entries.subMap(name + "/", false, name + "0", false);
    }

    private boolean throughLink(String name) {
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            Entry parent = entries.get(name.substring(0, slash));
            if (parent == null || parent.type() != 'd') {
                return true;
            }
        }
        return false;
    }

    private static void add(MessageDigest md, String name, Entry e, Integer chmod) {
        int mode = chmod != null && e.type() != 'l' ? chmod : e.mode();
        md.update((name + "\0" + e.type() + "\0" + mode + "\0").getBytes(StandardCharsets.UTF_8));
        if (e.link() != null) {
            md.update(e.link().getBytes(StandardCharsets.UTF_8));
        }
        if (e.digest() != null) {
            md.update(e.digest());
        }
        md.update((byte) '\n');
    }
}
