package io.pouch.daemon.logs;

import io.pouch.api.PouchException;
import io.pouch.api.container.HostConfig;

import java.io.IOException;
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
 */
public final class LogDrivers {
    public static final String JSON_FILE = "json-file";
    public static final String SYSLOG = "syslog";
    public static final String NONE = "none";

    /** What a driver may name in a tag or copy as attributes: the container the log belongs to. */
    public record Subject(String id, String name, String imageId, String imageName, Map<String, String> labels,
                          List<String> env) {
    }

    private final String defaultDriver;
    private final Map<String, String> defaultOptions;

    public LogDrivers(String defaultDriver, Map<String, String> defaultOptions) {
        this.defaultDriver = defaultDriver;
        this.defaultOptions = Collections.unmodifiableMap(new LinkedHashMap<>(defaultOptions));
    }

    /** The driver {@code config} selects: its type, or the daemon's default when it names none. */
    public String driverOf(HostConfig.LogConfig config) {
        return config == null || config.type() == null ? defaultDriver : config.type();
    }

    /** Refuses an unknown driver or options the driver does not take, with dockerd's messages (400). */
    public void validate(HostConfig.LogConfig config) {
        String driver = driverOf(config);
        switch (driver) {
            case NONE -> {
                // takes no options
            }
            case SYSLOG -> SyslogOptions.parse(options(config));
            case JSON_FILE -> JsonFileLog.parseOptions(options(config));
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
        Map<String, String> opts = options(config);
        try {
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
     * {@code syslog} keeps its local copy only while {@code cache-disabled} is not true.
     */
    public boolean readable(HostConfig.LogConfig config) {
        String driver = driverOf(config);
        if (driver.equals(NONE)) {
            return false;
        }
        return !driver.equals(SYSLOG) || !"true".equals(options(config).getOrDefault("cache-disabled", "false"));
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
