package io.pouch.api.container;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * Docker's container {@code Config}: the body of {@code POST /containers/create} (with HostConfig beside it) and
 * the {@code Config} of an inspect. Booleans are primitives because docker-java sends explicit nulls and the
 * shared mapper turns null into false; lists and maps stay nullable because Docker distinguishes "not given"
 * (use the image's value) from "given empty".
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ContainerConfig(
        @JsonProperty("Hostname") String hostname,
        @JsonProperty("Domainname") String domainname,
        @JsonProperty("User") String user,
        @JsonProperty("AttachStdin") boolean attachStdin,
        @JsonProperty("AttachStdout") boolean attachStdout,
        @JsonProperty("AttachStderr") boolean attachStderr,
        @JsonProperty("ExposedPorts") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> exposedPorts,
        @JsonProperty("Tty") boolean tty,
        @JsonProperty("OpenStdin") boolean openStdin,
        @JsonProperty("StdinOnce") boolean stdinOnce,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Cmd") List<String> cmd,
        @JsonProperty("Healthcheck") @JsonInclude(JsonInclude.Include.NON_NULL) HealthConfig healthcheck,
        @JsonProperty("ArgsEscaped") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean argsEscaped,
        @JsonProperty("Image") String image,
        @JsonProperty("Volumes") Map<String, Object> volumes,
        @JsonProperty("WorkingDir") String workingDir,
        @JsonProperty("Entrypoint") List<String> entrypoint,
        @JsonProperty("NetworkDisabled") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean networkDisabled,
        @JsonProperty("MacAddress") @JsonInclude(JsonInclude.Include.NON_NULL) String macAddress,
        @JsonProperty("OnBuild") List<String> onBuild,
        @JsonProperty("Labels") Map<String, String> labels,
        @JsonProperty("StopSignal") @JsonInclude(JsonInclude.Include.NON_NULL) String stopSignal,
        @JsonProperty("StopTimeout") @JsonInclude(JsonInclude.Include.NON_NULL) Integer stopTimeout,
        @JsonProperty("Shell") @JsonInclude(JsonInclude.Include.NON_NULL) List<String> shell,
        @JsonProperty("Rich") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean rich,
        @JsonProperty("RichMode") @JsonInclude(JsonInclude.Include.NON_EMPTY) String richMode,
        @JsonProperty("InitScript") @JsonInclude(JsonInclude.Include.NON_EMPTY) String initScript,
        @JsonProperty("DiskQuota") @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> diskQuota,
        @JsonProperty("QuotaID") @JsonInclude(JsonInclude.Include.NON_EMPTY) String quotaId,
        // Pouch's own: no network files bound in, annotations for the runtime spec, the net_prio priority, and
        // the id the container must get
        @JsonProperty("DisableNetworkFiles") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean disableNetworkFiles,
        @JsonProperty("SpecAnnotation") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> specAnnotation,
        @JsonProperty("NetPriority") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long netPriority,
        @JsonProperty("SpecificID") @JsonInclude(JsonInclude.Include.NON_NULL) String specificId) {

    public static ContainerConfig empty() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's fields: change some, then {@link Builder#build()}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Docker's {@code HealthConfig}: {@code Test} is {@code []} (inherit), {@code ["NONE"]}, {@code ["CMD", ...]}
     * or {@code ["CMD-SHELL", "..."]}; durations are nanoseconds, 0 meaning "inherit or default".
     */
    public record HealthConfig(@JsonProperty("Test") List<String> test,
                               @JsonProperty("Interval") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long interval,
                               @JsonProperty("Timeout") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long timeout,
                               @JsonProperty("StartPeriod") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long startPeriod,
                               @JsonProperty("StartInterval") @JsonInclude(JsonInclude.Include.NON_DEFAULT) long startInterval,
                               @JsonProperty("Retries") @JsonInclude(JsonInclude.Include.NON_DEFAULT) int retries) {
    }

    /** Builds a {@link ContainerConfig}; unset fields keep Docker's zero values (null, false, 0). */
    public static final class Builder {
        private String hostname;
        private String domainname;
        private String user;
        private boolean attachStdin;
        private boolean attachStdout;
        private boolean attachStderr;
        private Map<String, Object> exposedPorts;
        private boolean tty;
        private boolean openStdin;
        private boolean stdinOnce;
        private List<String> env;
        private List<String> cmd;
        private HealthConfig healthcheck;
        private boolean argsEscaped;
        private String image;
        private Map<String, Object> volumes;
        private String workingDir;
        private List<String> entrypoint;
        private boolean networkDisabled;
        private String macAddress;
        private List<String> onBuild;
        private Map<String, String> labels;
        private String stopSignal;
        private Integer stopTimeout;
        private List<String> shell;
        private boolean rich;
        private String richMode;
        private String initScript;
        private Map<String, String> diskQuota;
        private String quotaId;
        private boolean disableNetworkFiles;
        private Map<String, String> specAnnotation;
        private long netPriority;
        private String specificId;

        private Builder() {
        }

        private Builder(ContainerConfig v) {
            hostname = v.hostname;
            domainname = v.domainname;
            user = v.user;
            attachStdin = v.attachStdin;
            attachStdout = v.attachStdout;
            attachStderr = v.attachStderr;
            exposedPorts = v.exposedPorts;
            tty = v.tty;
            openStdin = v.openStdin;
            stdinOnce = v.stdinOnce;
            env = v.env;
            cmd = v.cmd;
            healthcheck = v.healthcheck;
            argsEscaped = v.argsEscaped;
            image = v.image;
            volumes = v.volumes;
            workingDir = v.workingDir;
            entrypoint = v.entrypoint;
            networkDisabled = v.networkDisabled;
            macAddress = v.macAddress;
            onBuild = v.onBuild;
            labels = v.labels;
            stopSignal = v.stopSignal;
            stopTimeout = v.stopTimeout;
            shell = v.shell;
            rich = v.rich;
            richMode = v.richMode;
            initScript = v.initScript;
            diskQuota = v.diskQuota;
            quotaId = v.quotaId;
            disableNetworkFiles = v.disableNetworkFiles;
            specAnnotation = v.specAnnotation;
            netPriority = v.netPriority;
            specificId = v.specificId;
        }

        public Builder hostname(String value) { hostname = value; return this; }
        public Builder domainname(String value) { domainname = value; return this; }
        public Builder user(String value) { user = value; return this; }
        public Builder attachStdin(boolean value) { attachStdin = value; return this; }
        public Builder attachStdout(boolean value) { attachStdout = value; return this; }
        public Builder attachStderr(boolean value) { attachStderr = value; return this; }
        public Builder exposedPorts(Map<String, Object> value) { exposedPorts = value; return this; }
        public Builder tty(boolean value) { tty = value; return this; }
        public Builder openStdin(boolean value) { openStdin = value; return this; }
        public Builder stdinOnce(boolean value) { stdinOnce = value; return this; }
        public Builder env(List<String> value) { env = value; return this; }
        public Builder cmd(List<String> value) { cmd = value; return this; }
        public Builder healthcheck(HealthConfig value) { healthcheck = value; return this; }
        public Builder argsEscaped(boolean value) { argsEscaped = value; return this; }
        public Builder image(String value) { image = value; return this; }
        public Builder volumes(Map<String, Object> value) { volumes = value; return this; }
        public Builder workingDir(String value) { workingDir = value; return this; }
        public Builder entrypoint(List<String> value) { entrypoint = value; return this; }
        public Builder networkDisabled(boolean value) { networkDisabled = value; return this; }
        public Builder macAddress(String value) { macAddress = value; return this; }
        public Builder onBuild(List<String> value) { onBuild = value; return this; }
        public Builder labels(Map<String, String> value) { labels = value; return this; }
        public Builder stopSignal(String value) { stopSignal = value; return this; }
        public Builder stopTimeout(Integer value) { stopTimeout = value; return this; }
        public Builder shell(List<String> value) { shell = value; return this; }
        public Builder rich(boolean value) { rich = value; return this; }
        public Builder richMode(String value) { richMode = value; return this; }
        public Builder initScript(String value) { initScript = value; return this; }
        public Builder diskQuota(Map<String, String> value) { diskQuota = value; return this; }
        public Builder quotaId(String value) { quotaId = value; return this; }
        public Builder disableNetworkFiles(boolean value) { disableNetworkFiles = value; return this; }
        public Builder specAnnotation(Map<String, String> value) { specAnnotation = value; return this; }
        public Builder netPriority(long value) { netPriority = value; return this; }
        public Builder specificId(String value) { specificId = value; return this; }

        public ContainerConfig build() {
            return new ContainerConfig(
                hostname, domainname, user, attachStdin, attachStdout, attachStderr, exposedPorts, tty, openStdin,
                stdinOnce, env, cmd, healthcheck, argsEscaped, image, volumes, workingDir, entrypoint,
                networkDisabled, macAddress, onBuild, labels, stopSignal, stopTimeout, shell, rich, richMode,
                initScript, diskQuota, quotaId, disableNetworkFiles, specAnnotation, netPriority, specificId);
        }
    }
}
