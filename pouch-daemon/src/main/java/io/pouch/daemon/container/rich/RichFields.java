package io.pouch.daemon.container.rich;

import com.fasterxml.jackson.databind.JsonNode;
import io.pouch.api.PouchException;
import io.pouch.api.container.ContainerConfig;

/**
 * The rich container fields of a create request. Pouch accepts Rich, RichMode and InitScript both at the top of
 * the body (Config) and in HostConfig; they are kept in the Config, where Pouch's daemon reads them, and checked
 * as Pouch checks them: a mode or an init script needs Rich, and the mode is one Pouch knows.
 */
public final class RichFields {
    /** systemd's own shutdown request: it stops its units in order, then exits (SIGTERM would only re-exec it). */
    static final String SYSTEMD_STOP_SIGNAL = "SIGRTMIN+3";

    private RichFields() {
    }

    /** {@code cfg} with the rich fields of {@code body} (Config's first, then HostConfig's), checked. */
    public static ContainerConfig fold(JsonNode body, ContainerConfig cfg) {
        JsonNode hc = body.path("HostConfig");
        boolean rich = cfg.rich() || bool(hc, "Rich");
        String mode = pick("RichMode", cfg.richMode(), text(hc, "RichMode"));
        String script = pick("InitScript", cfg.initScript(), text(hc, "InitScript"));
        if (!rich) {
            if (!mode.isEmpty()) {
                throw PouchException.invalidArgument("RichMode " + mode
                        + ": must first enable rich mode (Rich, --rich), then specify a rich mode type");
            }
            if (!script.isEmpty()) {
                throw PouchException.invalidArgument("InitScript " + script
                        + ": an init script can only be used along with rich mode (Rich, --rich)");
            }
            return cfg;
        }
        RichMode m = RichMode.parse(mode);
        if (hc.path("Init").asBoolean(false)) {
            throw PouchException.invalidArgument("HostConfig.Init and Rich both give the container an init as"
                    + " PID 1: use one of them");
        }
        if (!script.isEmpty() && !script.strip().startsWith("/")) {
            throw PouchException.invalidArgument("InitScript " + script
                    + ": give the absolute path of the script inside the container");
        }
        ContainerConfig.Builder b = cfg.toBuilder().rich(true).richMode(m.apiName())
                .initScript(script.isEmpty() ? null : script);
        if (m == RichMode.SYSTEMD && (cfg.stopSignal() == null || cfg.stopSignal().isEmpty())) {
            b.stopSignal(SYSTEMD_STOP_SIGNAL);
        }
        return b.build();
    }

    private static String pick(String field, String inConfig, String inHostConfig) {
        String a = inConfig == null ? "" : inConfig;
        if (!a.isEmpty() && !inHostConfig.isEmpty() && !a.equals(inHostConfig)) {
            throw PouchException.invalidArgument(field + " is " + a + " but HostConfig." + field + " is "
                    + inHostConfig + ": give one value");
        }
        return a.isEmpty() ? inHostConfig : a;
    }

    private static boolean bool(JsonNode hc, String field) {
        JsonNode v = hc.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw PouchException.invalidArgument("HostConfig." + field + " " + v + ": must be true or false");
        }
        return v.booleanValue();
    }

    private static String text(JsonNode hc, String field) {
        JsonNode v = hc.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw PouchException.invalidArgument("HostConfig." + field + " " + v + ": must be a string");
        }
        return v.textValue();
    }
}
