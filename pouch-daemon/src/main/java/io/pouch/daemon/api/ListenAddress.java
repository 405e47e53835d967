package io.pouch.daemon.api;

import io.pouch.api.PouchException;

import java.nio.file.Path;

/**
 * One {@code --listen} value: {@code unix:///path} or {@code tcp://host:port}.
 *
 * @param scheme "unix" or "tcp"
 * @param path   socket path for unix, else null
 * @param host   host for tcp, else null
 * @param port   port for tcp, else -1
 */
public record ListenAddress(String scheme, Path path, String host, int port) {
    public static ListenAddress parse(String text) {
        if (text.startsWith("unix://")) {
            String p = text.substring("unix://".length());
            if (p.isEmpty() || !p.startsWith("/")) {
                throw PouchException.invalidArgument("invalid listen address \"" + text
                        + "\": a unix socket needs an absolute path, e.g. unix:///var/run/pouchd.sock");
            }
            return new ListenAddress("unix", Path.of(p), null, -1);
        }
        if (text.startsWith("tcp://")) {
            String hp = text.substring("tcp://".length());
            int colon = hp.lastIndexOf(':');
            if (colon < 0) {
                throw PouchException.invalidArgument("invalid listen address \"" + text + "\": expected tcp://host:port");
            }
            String host = hp.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(hp.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new ListenAddress("tcp", null, host.isEmpty() ? "0.0.0.0" : host, port);
            } catch (NumberFormatException e) {
                throw PouchException.invalidArgument("invalid listen address \"" + text + "\": bad port");
            }
        }
        throw PouchException.invalidArgument("invalid listen address \"" + text
                + "\": expected unix:///path or tcp://host:port");
    }

    @Override
    public String toString() {
        return scheme.equals("unix") ? "unix://" + path : "tcp://" + host + ":" + port;
    }
}
