package io.pouch.daemon.image;

import io.pouch.daemon.registry.Credentials;

import java.util.List;

/** {@code docker login} and {@code docker search}: what their routes ask of a registry. */
public interface RegistryService {
    /** Checks the credentials against their registry (the default one when they name none); nothing is stored. */
    void login(Credentials creds);

    /** Repositories whose name contains the term, at most {@code limit}. */
    List<SearchResult> search(String term, int limit, Credentials creds);

    /**
     * Pouch's search: {@code term} in the catalog of {@code registry} (host[:port], a URL's scheme and path are
     * dropped); a null or blank registry is {@link #search(String, int, Credentials)}.
     */
    default List<SearchResult> search(String registry, String term, int limit, Credentials creds) {
        return search(registry == null || registry.isBlank() ? term : registry + "/" + term, limit, creds);
    }
}
