package io.pouch.daemon.container;

import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerState;
import io.pouch.api.container.Health;
import io.pouch.daemon.image.ImageLookup;
import io.pouch.daemon.query.Filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code filters} of {@code GET /containers/json}, with dockerd's semantics. */
final class ContainerFilters {
    static final Set<String> KEYS = Set.of("id", "name", "label", "status", "ancestor", "exited", "before", "since",
            "health", "isolation", "network", "publish", "expose", "volume", "is-task");
    static final Set<String> HEALTH = Set.of(Health.STARTING, Health.HEALTHY, Health.UNHEALTHY, Health.NONE);
    static final Set<String> STATUSES = Set.of("created", "restarting", "running", "removing", "paused", "exited",
            "dead");

    private final Filters f;
    private final ImageLookup images;
    private final List<Integer> exited = new ArrayList<>();
    private final String beforeCreated;
    private final String sinceCreated;

    /** Parses and checks everything up front: a bad filter is a 400 even when no container exists. */
    ContainerFilters(Filters filters, ContainerStore store, ImageLookup images) {
        this.f = filters.validate(KEYS);
        this.images = images;
        for (String s : f.get("status")) {
            if (!STATUSES.contains(s)) {
                throw PouchException.invalidArgument("Unrecognised filter value for status: " + s);
            }
        }
        for (String h : f.get("health")) {
            if (!HEALTH.contains(h)) {
                throw PouchException.invalidArgument("Unrecognised filter value for health: " + h);
            }
        }
        for (String e : f.get("exited")) {
            try {
                exited.add(Integer.parseInt(e));
            } catch (NumberFormatException x) {
                throw PouchException.invalidArgument("invalid filter 'exited=" + e + "'");
            }
        }
        beforeCreated = f.has("before") ? store.find(f.get("before").get(0)).meta().created() : null;
        sinceCreated = f.has("since") ? store.find(f.get("since").get(0)).meta().created() : null;
    }

    /** Docker's State column: created, running, paused, restarting, removing, exited, dead. */
    static String status(ContainerState s, boolean removing) {
        if (removing) {
            return "removing";
        }
        if (s.dead()) {
            return "dead";
        }
        if (s.restarting()) {
            return "restarting";
        }
        if (s.running()) {
            return s.paused() ? "paused" : "running";
        }
        return ContainerState.ZERO_TIME.equals(s.startedAt()) ? "created" : "exited";
    }

    boolean matches(ContainerMeta m, boolean removing) {
        return matches(m, removing, null);
    }

    /** @param health the container's State.Health (null: it has no healthcheck, "none") */
    boolean matches(ContainerMeta m, boolean removing, Health health) {
        if (!f.matchesExact("health", health == null ? Health.NONE : health.status())) {
            return false;
        }
        if (f.has("id") && f.get("id").stream().noneMatch(m.id()::startsWith)) {
            return false;
        }
        if (f.has("name") && f.get("name").stream().noneMatch(n -> nameMatches(n, "/" + m.name()))) {
            return false;
        }
        if (!f.matchesLabels("label", m.config().labels())) {
            return false;
        }
        if (!f.matchesExact("status", status(m.state(), removing))) {
            return false;
        }
        if (!exited.isEmpty() && (m.running() || !status(m.state(), removing).equals("exited")
                || !exited.contains(m.state().exitCode()))) {
            return false;
        }
        if (beforeCreated != null && m.created().compareTo(beforeCreated) >= 0) {
            return false;
        }
        if (sinceCreated != null && m.created().compareTo(sinceCreated) <= 0) {
            return false;
        }
        if (f.has("ancestor") && f.get("ancestor").stream().noneMatch(a -> ancestorMatches(a, m))) {
            return false;
        }
        if (f.has("network") && f.get("network").stream().noneMatch(n -> n.equals(m.hostConfig().networkMode()))) {
            return false;
        }
        return !f.has("is-task") || f.get("is-task").contains("false");
    }

    /** Docker matches names by regular expression (substring search) against "/name". */
    static boolean nameMatches(String filter, String name) {
        try {
            return Pattern.compile(filter).matcher(name).find();
        } catch (PatternSyntaxException e) {
            return name.contains(filter);
        }
    }

    private boolean ancestorMatches(String a, ContainerMeta m) {
        if (a.equals(m.imageName()) || (!a.contains(":") && (a + ":latest").equals(m.imageName()))
                || a.equals(m.imageId())) {
            return true;
        }
        String hex = m.imageId().startsWith("sha256:") ? m.imageId().substring(7) : m.imageId();
        String ah = a.startsWith("sha256:") ? a.substring(7) : a;
        if (ah.length() >= 4 && hex.startsWith(ah)) {
            return true;
        }
        try {
            return images.resolve(a).id().equals(m.imageId());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
