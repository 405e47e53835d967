package io.pouch.daemon.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What Pouch's {@code POST /daemon/update} changes on a running daemon: the engine's labels (shown by
 * {@code info}) and the image proxy of later pulls. Nothing is written to the config file: Pouch's daemon does not
 * either (its {@code updatedaemon --offline} edits the file instead).
 */
public final class DaemonSettings {
    /** The fields of Pouch's DaemonUpdateConfig. */
    static final Set<String> FIELDS = Set.of("Labels", "ImageProxy");

    private final Consumer<String> imageProxy;
    private volatile List<String> labels;

    /**
     * @param labels     the engine's labels at start
     * @param imageProxy applies a new image proxy to later pulls ("" removes it); throws IllegalArgumentException
     *                   for one it cannot use
     */
    public DaemonSettings(List<String> labels, Consumer<String> imageProxy) {
        this.labels = List.copyOf(labels);
        this.imageProxy = imageProxy;
    }

    public List<String> labels() {
        return labels;
    }

    /**
     * Applies a DaemonUpdateConfig: each label replaces the one with its key or is added (Pouch's merge); an
     * {@code ImageProxy} given (even "") replaces the proxy, an absent one leaves it. Refused with 400, and nothing
     * applied: a body that is not an object, an unknown field, an update that changes nothing, a label that is not
     * key=value, a proxy that is not host:port or a URL.
     */
    public synchronized void update(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw PouchException.invalidArgument("daemon update config must be a JSON object with Labels and/or"
                    + " ImageProxy");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw PouchException.invalidArgument("daemon update config: field " + f + " cannot be updated on a"
                        + " running daemon (only Labels and ImageProxy can; other settings: pouch updatedaemon"
                        + " --offline, then restart pouchd)");
            }
        }
        List<String> given = new ArrayList<>();
        JsonNode l = body.path("Labels");
        if (!l.isMissingNode() && !l.isNull()) {
            if (!l.isArray()) {
                throw PouchException.invalidArgument("daemon update config: Labels must be an array of key=value");
            }
            for (JsonNode n : l) {
                String label = n.asText();
                if (!n.isTextual() || label.indexOf('=') < 1) {
                    throw PouchException.invalidArgument("daemon update config: label \"" + label
                            + "\" is not key=value");
                }
                given.add(label);
            }
        }
        JsonNode p = body.path("ImageProxy");
        String proxy = p.isMissingNode() || p.isNull() ? null : p.asText();
        if (p.isValueNode() && !p.isNull() && !p.isTextual()) {
            throw PouchException.invalidArgument("daemon update config: ImageProxy must be a string");
        }
        if (given.isEmpty() && (proxy == null || proxy.isEmpty())) {
            throw PouchException.invalidArgument("daemon update config cannot be empty");
        }
        if (proxy != null) {
            try {
                imageProxy.accept(proxy.trim());
            } catch (IllegalArgumentException e) {
                throw PouchException.invalidArgument("daemon update config: ImageProxy \"" + proxy
                        + "\" is not host:port or an http URL");
            }
        }
        labels = merge(labels, given);
    }

    /** Pouch's merge: a label whose key is there already takes its place, a new key is appended. */
    static List<String> merge(List<String> current, List<String> given) {
        List<String> out = new ArrayList<>(current);
        for (String label : given) {
            String key = label.substring(0, label.indexOf('='));
            boolean replaced = false;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).startsWith(key + "=") || out.get(i).equals(key)) {
                    out.set(i, label);
                    replaced = true;
                }
            }
            if (!replaced) {
                out.add(label);
            }
        }
        return List.copyOf(out);
    }
}
