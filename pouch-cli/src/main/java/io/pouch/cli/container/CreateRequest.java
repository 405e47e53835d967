package io.pouch.cli.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pouch.api.Json;
import io.pouch.cli.CliException;
import io.pouch.cli.volume.MountFlags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the body of {@code POST /containers/create} from {@link ContainerOptions}, with Docker's field names
 * (Config at the top level, HostConfig, NetworkingConfig), the way the docker CLI fills them.
 */
public final class CreateRequest {
    private CreateRequest() {
    }

    /**
     * @param attach whether the CLI will attach to the output (run without -d, create): sets AttachStdout/Stderr
     * @param env the client's environment, for {@code -e NAME} without a value
     */
    public static ObjectNode build(ContainerOptions o, String image, List<String> command, boolean attach,
                                   Map<String, String> env) {
        if (!o.disableContentTrust) {
            throw new CliException("--disable-content-trust=false: pouch does not verify image signatures (Docker"
                    + " Content Trust); run without it", 125);
        }
        if (o.useApiSocket) {
            throw new CliException("--use-api-socket is not supported by pouch: bind mount the daemon's socket"
                    + " with -v instead", 125);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (o.hostname != null) {
            body.put("Hostname", o.hostname);
        }
        if (o.domainname != null) {
            body.put("Domainname", o.domainname);
        }
        if (o.user != null) {
            body.put("User", o.user);
        }
        attachedStreams(body, o, attach);
        body.put("Tty", o.tty);
        body.put("OpenStdin", o.interactive);
        ArrayNode envs = body.putArray("Env");
        environment(o, env).forEach(envs::add);
        if (!command.isEmpty()) {
            ArrayNode cmd = body.putArray("Cmd");
            command.forEach(cmd::add);
        }
        body.put("Image", image);
        if (!o.volumes.isEmpty()) {
            ObjectNode anonymous = Json.MAPPER.createObjectNode();
            for (String v : o.volumes) {
                if (!isBind(v)) {
                    anonymous.putObject(v);
                }
            }
            if (!anonymous.isEmpty()) {
                body.set("Volumes", anonymous);
            }
        }
        if (o.workdir != null) {
            body.put("WorkingDir", o.workdir);
        }
        if (o.entrypoint != null) {
            // as in docker, --entrypoint "" resets the image's entrypoint, anything else is one argv element
            body.putArray("Entrypoint").add(o.entrypoint);
        }
        ObjectNode labels = body.putObject("Labels");
        List<String> allLabels = new ArrayList<>();
        for (String f : o.labelFiles) {
            allLabels.addAll(KeyValueFiles.read(f, "label", null));
        }
        for (String l : o.labels) {
            int eq = l.indexOf('=');
            if ((eq < 0 ? l : l.substring(0, eq)).isBlank()) {
                throw new CliException("invalid argument \"" + l + "\" for \"-l, --label\" flag: invalid label '" + l
                        + "': empty name", 125);
            }
        }
        allLabels.addAll(o.labels);
        for (String l : allLabels) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        if (o.stopSignal != null) {
            body.put("StopSignal", o.stopSignal);
        }
        if (o.stopTimeout != null) {
            body.put("StopTimeout", o.stopTimeout);
        }
        o.health.apply(body);
        ObjectNode hc = hostConfig(o);
        body.set("HostConfig", hc);
        o.pouch.apply(body, hc);
        ObjectNode endpoints = body.putObject("NetworkingConfig").putObject("EndpointsConfig");
        ObjectNode endpoint = endpoints.putObject(o.network);
        o.networking.apply(body, hc, endpoint);
        return body;
    }

    private static ObjectNode hostConfig(ContainerOptions o) {
        ObjectNode hc = Json.MAPPER.createObjectNode();
        ArrayNode binds = Json.MAPPER.createArrayNode();
        for (String v : o.volumes) {
            if (v.isBlank()) {
                throw new CliException("invalid volume specification: ''", 125);
            }
            if (isBind(v)) {
                binds.add(v);
            }
        }
        if (!binds.isEmpty()) {
            hc.set("Binds", binds);
        }
        // --mount, --tmpfs, --volumes-from and --volume-driver
        MountFlags.apply(hc, o.mounts, o.tmpfs, o.volumesFrom, o.volumeDriver);
        hc.put("NetworkMode", o.network);
        hc.set("RestartPolicy", restartPolicy(o.restart));
        if (o.logDriver != null || !o.logOpts.isEmpty()) {
            ObjectNode lc = hc.putObject("LogConfig");
            lc.put("Type", o.logDriver == null ? "" : o.logDriver);
            ObjectNode cfg = lc.putObject("Config");
            for (String kv : o.logOpts) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("invalid log opt " + kv + ": the format is KEY=VALUE", 125);
                }
                cfg.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        hc.put("AutoRemove", o.autoRemove);
        if (o.cidfile != null && !o.cidfile.isEmpty()) {
            hc.put("ContainerIDFile", o.cidfile);
        }
        if (o.runtime != null) {
            hc.put("Runtime", o.runtime);
        }
        o.resources.apply(hc);
        o.security.apply(hc);
        o.devices.apply(hc);
        return hc;
    }

    /**
     * Env as the docker CLI 28 sends it: the --env-file lines in order, then the -e values; -e NAME takes NAME's
     * value from the client's environment and stays a bare NAME when it has none. The -e values are one per name
     * (the last wins), as docker passes them through a map; the files' lines are kept as they are.
     */
    static List<String> environment(ContainerOptions o, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        for (String f : o.envFiles) {
            out.addAll(KeyValueFiles.read(f, "env", env));
        }
        Map<String, String> flags = new LinkedHashMap<>();
        for (String e : o.env) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? e : e.substring(0, eq);
            if (key.isEmpty()) {
                throw new CliException("invalid argument \"" + e + "\" for \"-e, --env\" flag: invalid environment"
                        + " variable: " + e, 125);
            }
            String v = eq >= 0 || !env.containsKey(e) ? e : e + "=" + env.get(e);
            flags.put(key, v);
        }
        out.addAll(flags.values());
        return out;
    }

    /**
     * AttachStdin/Stdout/Stderr and StdinOnce as docker sets them: -a names the streams (stdout and stderr when
     * none is named), -i adds stdin; a detached run attaches nothing and refuses -a.
     */
    private static void attachedStreams(ObjectNode body, ContainerOptions o, boolean attach) {
        boolean in = o.interactive;
        boolean out = o.attach.isEmpty();
        boolean err = o.attach.isEmpty();
        for (String s : o.attach) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "stdin" -> in = true;
                case "stdout" -> out = true;
                case "stderr" -> err = true;
                default -> throw new CliException("invalid argument \"" + s + "\" for \"-a, --attach\" flag: valid"
                        + " streams are STDIN, STDOUT and STDERR", 125);
            }
        }
        if (!attach) {
            if (!o.attach.isEmpty()) {
                throw new CliException("Conflicting options: -a and -d", 125);
            }
            in = false;
            out = false;
            err = false;
        }
        body.put("AttachStdin", in);
        body.put("AttachStdout", out);
        body.put("AttachStderr", err);
        body.put("StdinOnce", in && o.interactive);
    }

    /** A -v value with a source (host path or named volume) is a bind; a lone container path is anonymous. */
    private static boolean isBind(String v) {
        return v.indexOf(':') > 0;
    }

    static long nanoCpus(String cpus) {
        return ResourceFlags.nanoCpus(cpus);
    }

    static ObjectNode restartPolicy(String spec) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        String name = spec;
        int retries = 0;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            name = spec.substring(0, colon);
            try {
                retries = Integer.parseInt(spec.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new CliException("invalid restart policy format: maximum retry count must be an integer", 125);
            }
            if (!name.equals("on-failure")) {
                throw new CliException("invalid restart policy format: maximum retry count cannot be used with "
                        + "restart policy '" + name + "'", 125);
            }
        }
        switch (name) {
            case "no", "always", "unless-stopped", "on-failure", "" -> { }
            default -> throw new CliException("invalid restart policy format: unknown policy '" + name + "'", 125);
        }
        p.put("Name", name);
        p.put("MaximumRetryCount", retries);
        return p;
    }
}
