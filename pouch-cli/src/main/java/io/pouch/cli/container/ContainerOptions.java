package io.pouch.cli.container;

import io.pouch.cli.network.NetworkOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The flags {@code run} and {@code create} share; {@link CreateRequest} turns them into the API's JSON. */
public final class ContainerOptions {
    @Option(names = "--name", description = "Assign a name to the container")
    String name;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set environment variables")
    List<String> env = new ArrayList<>();

    @Option(names = "--env-file", paramLabel = "FILE", description = "Read in a file of environment variables")
    List<String> envFiles = new ArrayList<>();

    @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "Set meta data on a container")
    List<String> labels = new ArrayList<>();

    @Option(names = "--label-file", paramLabel = "FILE", description = "Read in a line delimited file of labels")
    List<String> labelFiles = new ArrayList<>();

    @Option(names = "--domainname", description = "Container NIS domain name")
    String domainname;

    @Option(names = "--cidfile", paramLabel = "FILE", description = "Write the container ID to the file")
    String cidfile;

    @Option(names = "--platform", description = "Set platform if server is multi-platform capable")
    String platform;

    @Option(names = "--pull", description = "Pull image before running (\"always\", \"missing\", \"never\")",
            defaultValue = "missing")
    String pull;

    @Option(names = {"-q", "--quiet"}, description = "Suppress the pull output")
    boolean quiet;

    // pouch verifies no image signatures: the default (true) is what it does, false is refused
    @Option(names = "--disable-content-trust", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Skip image verification (default true)")
    boolean disableContentTrust;

    @Option(names = "--use-api-socket", description = "Bind mount Docker API socket and required auth")
    boolean useApiSocket;

    @Option(names = {"-w", "--workdir"}, description = "Working directory inside the container")
    String workdir;

    @Option(names = {"-u", "--user"}, description = "Username or UID (format: <name|uid>[:<group|gid>])")
    String user;

    @Option(names = "--entrypoint", description = "Overwrite the default ENTRYPOINT of the image")
    String entrypoint;

    @Option(names = {"-h", "--hostname"}, description = "Container host name")
    String hostname;

    @Option(names = {"--network", "--net"}, description = "Connect a container to a network", defaultValue = "default")
    String network;

    @Option(names = "--runtime", description = "Runtime to use for this container")
    String runtime;

    @Option(names = {"-v", "--volume"}, paramLabel = "[SRC:]DST[:OPTS]", description = "Bind mount a volume")
    List<String> volumes = new ArrayList<>();

    // mounts beyond -v: named/bind/tmpfs --mount specs, tmpfs shorthands, another container's volumes
    @Option(names = "--mount", paramLabel = "MOUNT", description = "Attach a filesystem mount to the container")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--tmpfs", paramLabel = "PATH[:OPTS]", description = "Mount a tmpfs directory")
    List<String> tmpfs = new ArrayList<>();

    @Option(names = "--volumes-from", paramLabel = "CONTAINER[:ro|rw]",
            description = "Mount volumes from the specified container(s)")
    List<String> volumesFrom = new ArrayList<>();

    @Option(names = "--volume-driver", description = "Optional volume driver for the container")
    String volumeDriver;

    @Option(names = {"-t", "--tty"}, description = "Allocate a pseudo-TTY")
    boolean tty;

    @Option(names = {"-a", "--attach"}, paramLabel = "STDIN|STDOUT|STDERR",
            description = "Attach to STDIN, STDOUT or STDERR")
    List<String> attach = new ArrayList<>();

    @Option(names = {"-i", "--interactive"}, description = "Keep STDIN open even if not attached")
    boolean interactive;

    @Option(names = "--log-driver", description = "Logging driver for the container (json-file, none, syslog)")
    String logDriver;

    @Option(names = "--log-opt", paramLabel = "KEY=VALUE", description = "Log driver options")
    List<String> logOpts = new ArrayList<>();

    @Option(names = "--restart", description = "Restart policy to apply when a container exits", defaultValue = "no")
    String restart;

    @Option(names = "--stop-signal", description = "Signal to stop the container")
    String stopSignal;

    @Option(names = "--stop-timeout", description = "Timeout (in seconds) to stop a container")
    Integer stopTimeout;

    @Option(names = "--rm", description = "Automatically remove the container when it exits")
    boolean autoRemove;

    @Mixin
    ResourceFlags resources = new ResourceFlags();

    @Mixin
    SecurityFlags security = new SecurityFlags();

    @Mixin
    DeviceFlags devices = new DeviceFlags();

    @Mixin
    HealthFlags health = new HealthFlags();

    @Mixin
    PouchFlags pouch = new PouchFlags();

    // the networking flags (-p, -P, --expose, --ip, --mac-address, --network-alias, --dns*, --add-host, --link)
    // live in the network package, next to the code that puts them into the create request
    @Mixin
    NetworkOptions networking = new NetworkOptions();
}
