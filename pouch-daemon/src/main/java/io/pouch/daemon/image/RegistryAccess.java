package io.pouch.daemon.image;

import io.pouch.api.PouchException;
import io.pouch.daemon.registry.Credentials;
import io.pouch.daemon.registry.RegistryClient;
import io.pouch.daemon.registry.Repository;

import java.util.ArrayList;
import java.util.List;

/** Login and search against registries through the registry client, with Docker's way of naming registries. */
public final class RegistryAccess implements RegistryService {
    private final RegistryClient registry;

    public RegistryAccess(RegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public void login(Credentials creds) {
        String server = creds.serverAddress() == null ? registry.config().defaultRegistry() : creds.serverAddress();
        registry.repository(loginDomain(server), "", creds, false).login();
    }

    /** The registry a login's server address names: {@code https://index.docker.io/v1/} is docker.io. */
    static String loginDomain(String server) {
        String domain = server.replaceFirst("^https?://", "").replaceAll("/.*$", "");
        return domain.equals("index.docker.io") || domain.isEmpty() ? "docker.io" : domain;
    }

    /**
     * A registry of its own has no search API, so the term's registry catalog is listed and filtered by the rest of
     * the term; without a registry in the term the default one is used.
     */
    @Override
    public List<SearchResult> search(String term, int limit, Credentials creds) {
        if (term == null || term.isBlank()) {
            throw PouchException.invalidArgument("a search term is required");
        }
        if (limit < 1 || limit > 100) {
            throw PouchException.invalidArgument("limit " + limit + " is outside the range of [1, 100]");
        }
        return searchIn(SearchTerm.of(term, registry.config().defaultRegistry()), limit, creds);
    }

    @Override
    public List<SearchResult> search(String registryName, String term, int limit, Credentials creds) {
        if (registryName == null || registryName.isBlank()) {
            return search(term, limit, creds);
        }
        if (term == null || term.isBlank()) {
            throw PouchException.invalidArgument("a search term is required");
        }
        if (limit < 1 || limit > 100) {
            throw PouchException.invalidArgument("limit " + limit + " is outside the range of [1, 100]");
        }
        return searchIn(new SearchTerm(loginDomain(registryName.trim()), term), limit, creds);
    }

    private List<SearchResult> searchIn(SearchTerm t, int limit, Credentials creds) {
        Repository repo = registry.repository(t.domain(), "", creds, false);
        List<SearchResult> out = new ArrayList<>();
        for (String name : repo.catalog(1000)) {
            if (out.size() >= limit) {
                break;
            }
            if (name.contains(t.query())) {
                out.add(SearchResult.of(t.domain().equals("docker.io") ? name : t.domain() + "/" + name));
            }
        }
        return out;
    }

    /** A search term split into the registry it names ({@code localhost:5000/busy}) and the text to look for. */
    record SearchTerm(String domain, String query) {
        static SearchTerm of(String term, String defaultRegistry) {
            int slash = term.indexOf('/');
            if (slash > 0 && (term.substring(0, slash).contains(".") || term.substring(0, slash).contains(":")
                    || term.startsWith("localhost/"))) {
                return new SearchTerm(term.substring(0, slash), term.substring(slash + 1));
            }
            return new SearchTerm(defaultRegistry, term);
        }
    }
}
