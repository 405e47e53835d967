package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The log drivers a container can choose ({@code json-file}, {@code syslog}, {@code none}): which one a
 * {@code HostConfig.LogConfig} selects, whether its options are valid, and the sink it writes to. The daemon's
 * {@code --log-driver} and {@code --log-opt} are the defaults; a container's own options are laid over them.
 *
 * <p>A fourth driver, {@code cri}, writes the Kubernetes CRI log format to the file its option {@code path} names
 * (kubelet chooses that path and reads the file). Only containers created through the CRI server use it: the
 * Engine API refuses it ({@link #validate(HostConfig.LogConfig)}), the CRI server's create path admits it
 * ({@link #validate(HostConfig.LogConfig, boolean)}). The daemon's options are not laid under a cri container's:
 * they are meant for the daemon's default driver, which cri never is.
 */
public final class LogDrivers {
    public static final String JSON_FILE = "json-file";
    public static final String SYSLOG = "syslog";
    public static final String NONE = "none";
    public static final String CRI = "cri";
    /** The cri driver's one option: the absolute path of the log file. */
    public static final String CRI_PATH = "path";

    /** What a driver may name in a tag or copy as attributes: the container the log belongs to. */
    public record Subject(String id, String name, String imageId, String imageName, Map<String, String> labels,
                          List<String> env) {
    }

    private final String defaultDriver;
    private final Map<String, String> defaultOptions;
    private final CriLogs criLogs;

    public LogDrivers(String defaultDriver, Map<String, String> defaultOptions) {
        this(defaultDriver, defaultOptions, new CriLogs());
    }

    /** @param criLogs where the open logs of cri containers are listed (see {@link CriLogs#reopen}) */
    public LogDrivers(String defaultDriver, Map<String, String> defaultOptions, CriLogs criLogs) {
        this.defaultDriver = defaultDriver;
        this.defaultOptions = Collections.unmodifiableMap(new LinkedHashMap<>(defaultOptions));
        this.criLogs = criLogs;
    }

    /** The open logs of cri containers. */
    public CriLogs criLogs() {
        return criLogs;
    }

    /** The driver {@code config} selects: its type, or the daemon's default when it names none. */
    public String driverOf(HostConfig.LogConfig config) {
        return config == null || config.type() == null ? defaultDriver : config.type();
    }

    /**
     * The Engine API's check: refuses an unknown driver or options the driver does not take, with dockerd's
     * messages (400), and the cri driver.
     */
    public void validate(HostConfig.LogConfig config) {
        validate(config, false);
    }

    /**
     * Refuses an unknown driver or options the driver does not take (400).
     *
     * @param criAllowed true only on the CRI server's create path: the cri driver is admitted, with an absolute
     *                   {@code path} and no other option
     */
    public void validate(HostConfig.LogConfig config, boolean criAllowed) {
        String driver = driverOf(config);
        switch (driver) {
            case NONE -> {
                // takes no options
            }
            case SYSLOG -> SyslogOptions.parse(options(config));
            case JSON_FILE -> JsonFileLog.parseOptions(options(config));
            case CRI -> {
                if (!criAllowed) {
                    throw PouchException.invalidArgument("logger: the cri log driver is only for containers created"
                            + " through the Kubernetes CRI; choose json-file, syslog or none");
                }
                criPath(config);
            }
            default -> throw PouchException.invalidArgument("logger: no log driver named '" + driver
                    + "' is registered");
        }
    }

    /**
     * Opens the sink the container's output goes to. {@code jsonLog} is the json-file driver's file; the syslog
     * driver keeps its local copy there too, unless {@code cache-disabled}.
     */
    public LogSink open(HostConfig.LogConfig config, Path jsonLog, Subject subject) {
        String driver = driverOf(config);
        if (driver.equals(NONE)) {
            return LogSink.NONE;
        }
        try {
            if (driver.equals(CRI)) {
                return criLogs.open(subject.id(), criPath(config));
            }
            Map<String, String> opts = options(config);
            if (driver.equals(SYSLOG)) {
                return openSyslog(opts, jsonLog, subject);
            }
            return JsonFileLog.open(jsonLog, opts, LogAttributes.extract(opts, subject.labels(), subject.env()));
        } catch (PouchException e) {
            throw e;
        } catch (Exception e) {
            throw PouchException.internal("cannot open the container's log: " + e.getMessage(), e);
        }
    }

    private static LogSink openSyslog(Map<String, String> opts, Path jsonLog, Subject subject) {
        SyslogOptions o = SyslogOptions.parse(opts);
        String tag = LogTag.render(o.tag(), subject.id(), subject.name(), subject.imageId(), subject.imageName());
        LogSink cache = o.cacheDisabled() ? LogSink.NONE : JsonFileLog.open(jsonLog, o.cache());
        try {
            return SyslogLog.open(o, tag, cache, Clock.systemUTC());
        } catch (IOException e) {
            cache.close();
            throw PouchException.internal(e.getMessage(), e);
        }
    }

    /**
     * Whether the container's log can be read back ({@code docker logs}): {@code none} keeps nothing, and
     * {@code syslog} keeps its local copy only while {@code cache-disabled} is not true; {@code cri} and
     * {@code json-file} are read from their files.
     */
    public boolean readable(HostConfig.LogConfig config) {
        String driver = driverOf(config);
        if (driver.equals(NONE)) {
            return false;
        }
        if (driver.equals(CRI)) {
            return true;
        }
        return !driver.equals(SYSLOG) || !"true".equals(options(config).getOrDefault("cache-disabled", "false"));
    }

    /**
     * The file {@code docker logs} reads for the container, and in which format: the cri driver's {@code path},
     * else {@code jsonLog} (json-file's file, syslog's local copy).
     */
    public LogFile logFile(HostConfig.LogConfig config, Path jsonLog) {
        if (driverOf(config).equals(CRI)) {
            return new LogFile(criPath(config), LogFile.Format.CRI);
        }
        return new LogFile(jsonLog, LogFile.Format.JSON_FILE);
    }

    /** The cri driver's {@code path}: required, absolute; no other option (400 naming the bad one). */
    private static Path criPath(HostConfig.LogConfig config) {
        Map<String, String> opts = config == null || config.config() == null ? Map.of() : config.config();
        for (String k : opts.keySet()) {
            if (!k.equals(CRI_PATH)) {
                throw PouchException.invalidArgument("unknown log opt '" + k + "' for cri log driver");
            }
        }
        String path = opts.get(CRI_PATH);
        if (path == null || path.isEmpty()) {
            throw PouchException.invalidArgument("the cri log driver needs the log opt 'path': the absolute path of"
                    + " the container's log file");
        }
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            throw PouchException.invalidArgument("log opt 'path' for cri log driver is not a valid path: " + path);
        }
        if (!p.isAbsolute()) {
            throw PouchException.invalidArgument("log opt 'path' for cri log driver must be absolute, got '" + path
                    + "'");
        }
        return p.normalize();
    }

    /** The daemon's options with the container's laid over them. */
    private Map<String, String> options(HostConfig.LogConfig config) {
        Map<String, String> opts = new LinkedHashMap<>(defaultOptions);
        if (config != null && config.config() != null) {
            opts.putAll(config.config());
        }
        return opts;
    }
}
