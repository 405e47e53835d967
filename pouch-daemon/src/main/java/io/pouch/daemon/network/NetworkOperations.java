package io.pouch.daemon.network;

import io.pouch.api.network.NetworkInspect;
import io.pouch.daemon.query.Filters;

import java.util.List;

/** What {@code /networks...} asks of the network side (see {@link NetworkRoutes}). */
public interface NetworkOperations {
    /** {@code GET /networks}: by name, those that pass the filters (400 for an unknown filter). */
    List<NetworkInspect> list(Filters filters);

    /** {@code GET /networks/{id}}: by full id, name or unique id prefix (404 when unknown). */
    NetworkInspect inspect(String ref);

    /** {@code POST /networks/create}: returns the new network's id. */
    String create(NetworkCreateRequest request);

    /** {@code DELETE /networks/{id}}. */
    void remove(String ref);

    /** {@code POST /networks/prune}: returns the names of the networks removed. */
    List<String> prune(Filters filters);

    /** {@code POST /networks/{id}/connect} of a container (full id); live at once when it runs. */
    void connect(String ref, String containerId, EndpointConfig endpoint, boolean running);

    /** {@code POST /networks/{id}/disconnect} of a container (full id, or as given with force). */
    void disconnect(String ref, String containerId, boolean force);
}
