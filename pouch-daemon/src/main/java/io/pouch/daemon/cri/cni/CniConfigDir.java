package io.pouch.daemon.cri.cni;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The network configuration directory read as libcni and containerd read it: the files ending in .conflist,
 * .conf or .json, in lexical order of their names; the first one that is a valid configuration is the pod
 * network (a file that is not is skipped and named in the log and in {@link Selection#problems}).
 *
 * <p>The directory is read again whenever a file in it was added, removed or changed (names, sizes and
 * modification times are compared on each call), so a configuration written after pouchd started, by an
 * installer or a network add-on's daemonset, turns the network ready without a restart.
 */
final class CniConfigDir {
    private static final Logger LOG = Logger.getLogger(CniConfigDir.class.getName());

    private final Path dir;
    private List<String> seen;
    private Selection current;

    CniConfigDir(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** The configuration in effect now (re-read if the directory changed since the last call). */
    synchronized Selection current() {
        List<Path> files = files();
        List<String> fingerprint = fingerprint(files);
        if (current == null || !fingerprint.equals(seen)) {
            current = select(files);
            seen = fingerprint;
        }
        return current;
    }

    /**
     * The network in effect, or none; {@code problems} says why each skipped file was skipped ("file: reason"),
     * for the not-ready message.
     */
    record Selection(NetworkConfigList network, Path source, List<String> problems) {
        Selection {
            problems = List.copyOf(problems);
        }
    }

    private Selection select(List<Path> files) {
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            try {
                byte[] bytes = Files.readAllBytes(f);
                String name = f.getFileName().toString();
                NetworkConfigList list = name.endsWith(".conflist")
                        ? NetworkConfigList.parseList(bytes)
                        : NetworkConfigList.parseSingle(bytes);
                LOG.info(() -> "CNI network \"" + list.name() + "\" from " + f);
                return new Selection(list, f, problems);
            } catch (IllegalArgumentException | IOException e) {
                String problem = f.getFileName() + ": " + e.getMessage();
                LOG.warning(() -> "skipping CNI config " + f + ": " + e.getMessage());
                problems.add(problem);
            }
        }
        return new Selection(null, null, problems);
    }

    /** The candidate files, sorted by name as libcni's ConfFiles sorts them. */
    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{conflist,conf,json}")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            LOG.warning(() -> "cannot list CNI config directory " + dir + ": " + e);
            return List.of();
        }
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    private static List<String> fingerprint(List<Path> files) {
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                out.add(f.getFileName() + "\0" + a.size() + "\0" + a.lastModifiedTime().toInstant());
            } catch (IOException e) {
                out.add(f.getFileName() + "\0gone");
            }
        }
        return out;
    }
}
