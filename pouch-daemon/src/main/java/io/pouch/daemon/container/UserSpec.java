package io.pouch.daemon.container;

import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.List;

/**
 * The process identity from Docker's {@code User}: {@code uid}, {@code uid:gid}, {@code name}, {@code name:group},
 * resolved against the container's own {@code /etc/passwd} and {@code /etc/group} (never the host's).
 */
public record UserSpec(int uid, int gid, List<Integer> additionalGids) {
    public static final UserSpec ROOT = new UserSpec(0, 0, List.of());

    /**
     * The identity of a process in a container, as dockerd gives both the container's own process and every exec in
     * it: {@code user} resolved against the container's files (a number too: the primary group and the
     * supplementary groups come from its passwd and group entries), then {@code HostConfig.GroupAdd}'s groups.
     *
     * @param passwd contents of the container's /etc/passwd, or null when it has none
     * @param group  contents of the container's /etc/group, or null
     */
    public static UserSpec of(String user, List<String> groupAdd, String passwd, String group) {
        return resolve(user, passwd, group).withGroups(groupAdd, group);
    }

    /**
     * @param passwd contents of the container's /etc/passwd, or null when it has none
     * @param group  contents of the container's /etc/group, or null
     */
    public static UserSpec resolve(String user, String passwd, String group) {
        if (user == null || user.isEmpty()) {
            user = "0";
        }
        String[] ug = user.split(":", 2);
        String u = ug[0];
        String g = ug.length > 1 ? ug[1] : null;
        if (u.isEmpty()) {
            throw PouchException.invalidArgument("invalid user: " + user);
        }
        int uid;
        int gid = 0;
        String userName = null;
        String[] pw = findEntry(passwd, u, 2);
        if (pw != null) {
            uid = parseId(pw[2], user);
            gid = pw.length > 3 ? parseId(pw[3], user) : 0;
            userName = pw[0];
        } else if (u.matches("\\d+")) {
            uid = parseId(u, user);
        } else {
            throw PouchException.invalidArgument("unable to find user " + u + ": no matching entries in passwd file");
        }
        if (g != null) {
            if (g.isEmpty()) {
                throw PouchException.invalidArgument("invalid user: " + user);
            }
            String[] gr = findEntry(group, g, 2);
            if (gr != null) {
                gid = parseId(gr[2], user);
            } else if (g.matches("\\d+")) {
                gid = parseId(g, user);
            } else {
                throw PouchException.invalidArgument("unable to find group " + g
                        + ": no matching entries in group file");
            }
        }
        List<Integer> extra = new ArrayList<>();
        if (userName != null && group != null) {
            for (String line : group.split("\n")) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && !line.startsWith("#") && f[2].matches("\\d+")) {
                    for (String member : f[3].split(",")) {
                        int id = Integer.parseInt(f[2]);
                        if (member.trim().equals(userName) && id != gid && !extra.contains(id)) {
                            extra.add(id);
                        }
                    }
                }
            }
        }
        return new UserSpec(uid, gid, List.copyOf(extra));
    }

    /**
     * This identity with {@code HostConfig.GroupAdd}'s groups added: numbers as they are, names looked up in the
     * container's /etc/group (dockerd's message when one is not there).
     */
    public UserSpec withGroups(List<String> groupAdd, String group) {
        if (groupAdd == null || groupAdd.isEmpty()) {
            return this;
        }
        List<Integer> gids = new ArrayList<>(additionalGids);
        for (String g : groupAdd) {
            if (g == null || g.isEmpty()) {
                throw PouchException.invalidArgument("invalid GroupAdd: an empty group name");
            }
            String[] gr = findEntry(group, g, 2);
            int id;
            if (gr != null) {
                id = parseId(gr[2], g);
            } else if (g.matches("\\d+")) {
                id = parseId(g, g);
            } else {
                throw PouchException.invalidArgument("Unable to find group " + g
                        + ": no matching entries in group file");
            }
            if (!gids.contains(id)) {
                gids.add(id);
            }
        }
        return new UserSpec(uid, gid, List.copyOf(gids));
    }

    /** The passwd/group line whose name (or, for a number, whose id at {@code idField}) matches. */
    private static String[] findEntry(String file, String key, int idField) {
        if (file == null) {
            return null;
        }
        String[] byId = null;
        for (String line : file.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length <= idField) {
                continue;
            }
            if (f[0].equals(key)) {
                return f;
            }
            if (byId == null && f[idField].equals(key)) {
                byId = f;
            }
        }
        return byId;
    }

    private static int parseId(String s, String user) {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw PouchException.invalidArgument("invalid user: " + user + " (bad id " + s + ")");
        }
    }
}
