package io.pouch.cli;

import io.pouch.client.ClientTls;
import io.pouch.client.DaemonHost;
import io.pouch.client.PouchClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code pouch} command. Global flags as Pouch has them: {@code -H/--host} (or {@code POUCH_HOST}) and
 * {@code -D/--debug}. The client (and with it Netty) is created only when a command talks to the daemon.
 */
@Command(name = "pouch", mixinStandardHelpOptions = false, usageHelpAutoWidth = true,
        description = "An efficient container engine (Engine API client).")
public final class Main implements Runnable {
    public static final String VERSION = "0.1.0-SNAPSHOT";

    @Option(names = {"-H", "--host"}, paramLabel = "HOST",
            description = "Daemon socket to connect to (default ${DEFAULT-VALUE}; env POUCH_HOST)",
            defaultValue = "${env:POUCH_HOST:-" + DaemonHost.DEFAULT + "}")
    String host;

    @Option(names = "--tlsverify", description = "Use TLS and verify the daemon's certificate (tcp:// hosts)")
    boolean tlsVerify;

    @Option(names = "--tlscacert", paramLabel = "FILE", description = "Trust certificates signed by this CA")
    String tlsCaCert;

    @Option(names = "--tlscert", paramLabel = "FILE", description = "Path to the TLS certificate file")
    String tlsCert;

    @Option(names = "--tlskey", paramLabel = "FILE", description = "Path to the TLS key file")
    String tlsKey;

    @Option(names = {"-D", "--debug"}, description = "Print requests and answers on stderr")
    boolean debug;

    @Option(names = {"-v", "--version"}, description = "Print version information and quit")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print usage")
    boolean help;

    private PouchClient client;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (version) {
            spec.commandLine().getOut().println("Pouch version " + VERSION);
            return;
        }
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public synchronized PouchClient client() {
        if (client == null) {
            client = PouchClient.connect(host, tls());
            if (debug) {
                client.trace(line -> System.err.println("DEBU[client] " + line));
            }
        }
        return client;
    }

    /** TLS when any TLS flag is given; the daemon's certificate is always verified (there is no insecure mode). */
    private ClientTls tls() {
        if (!tlsVerify && tlsCaCert == null && tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsCaCert == null) {
            throw new CliException("--tlscacert is needed to verify the daemon's certificate", 1);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CliException("--tlscert and --tlskey go together", 1);
        }
        return new ClientTls(Path.of(tlsCaCert), tlsCert == null ? null : Path.of(tlsCert),
                tlsKey == null ? null : Path.of(tlsKey));
    }

    public String host() {
        return host;
    }

    /**
     * The subcommands, in the order help lists them, by class name. Building picocli's model reflects over every
     * class given to it, so a normal invocation registers only the command it names; help, completion and unknown
     * names get all. Names, not class literals: a class literal loads its class, and loading the ~50 command
     * classes (with their supertypes) cost a simple command about 50 ms without an AOT cache (bench/cli).
     */
    private static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("run", "io.pouch.cli.container.RunCommand");
        COMMANDS.put("create", "io.pouch.cli.container.CreateCommand");
        COMMANDS.put("start", "io.pouch.cli.container.StartCommand");
        COMMANDS.put("attach", "io.pouch.cli.container.AttachCommand");
        COMMANDS.put("stop", "io.pouch.cli.container.ContainerCommands$Stop");
        COMMANDS.put("kill", "io.pouch.cli.container.ContainerCommands$Kill");
        COMMANDS.put("restart", "io.pouch.cli.container.ContainerCommands$Restart");
        COMMANDS.put("pause", "io.pouch.cli.container.ContainerCommands$Pause");
        COMMANDS.put("unpause", "io.pouch.cli.container.ContainerCommands$Unpause");
        COMMANDS.put("rm", "io.pouch.cli.container.ContainerCommands$Rm");
        COMMANDS.put("rename", "io.pouch.cli.container.ContainerCommands$Rename");
        COMMANDS.put("update", "io.pouch.cli.container.LifecycleCommands$Update");
        COMMANDS.put("upgrade", "io.pouch.cli.container.LifecycleCommands$Upgrade");
        COMMANDS.put("wait", "io.pouch.cli.container.ContainerCommands$Wait");
        COMMANDS.put("ps", "io.pouch.cli.container.PsCommand");
        COMMANDS.put("exec", "io.pouch.cli.container.ExecCommands$Exec");
        COMMANDS.put("top", "io.pouch.cli.container.ExecCommands$Top");
        COMMANDS.put("stats", "io.pouch.cli.container.ExecCommands$Stats");
        COMMANDS.put("diff", "io.pouch.cli.container.ExecCommands$Diff");
        COMMANDS.put("export", "io.pouch.cli.container.ExecCommands$Export");
        COMMANDS.put("commit", "io.pouch.cli.container.ExecCommands$Commit");
        COMMANDS.put("cp", "io.pouch.cli.container.ExecCommands$Cp");
        COMMANDS.put("logs", "io.pouch.cli.container.LogsCommand");
        COMMANDS.put("inspect", "io.pouch.cli.system.InspectCommand");
        COMMANDS.put("images", "io.pouch.cli.image.ImageCommands$Images");
        COMMANDS.put("image", "io.pouch.cli.image.ImageCommands$ImageGroup");
        COMMANDS.put("tag", "io.pouch.cli.image.ImageCommands$Tag");
        COMMANDS.put("rmi", "io.pouch.cli.image.ImageCommands$Rmi");
        COMMANDS.put("save", "io.pouch.cli.image.ImageCommands$Save");
        COMMANDS.put("load", "io.pouch.cli.image.ImageCommands$Load");
        COMMANDS.put("import", "io.pouch.cli.image.ImageCommands$Import");
        COMMANDS.put("history", "io.pouch.cli.image.ImageCommands$History");
        COMMANDS.put("build", "io.pouch.cli.image.BuildCommand");
        COMMANDS.put("pull", "io.pouch.cli.image.ImageCommands$Pull");
        COMMANDS.put("volume", "io.pouch.cli.volume.VolumeCommands$VolumeGroup");
        COMMANDS.put("network", "io.pouch.cli.network.NetworkCommands$NetworkGroup");
        COMMANDS.put("port", "io.pouch.cli.network.PortCommand");
        COMMANDS.put("push", "io.pouch.cli.registry.RegistryCommands$Push");
        COMMANDS.put("login", "io.pouch.cli.registry.RegistryCommands$Login");
        COMMANDS.put("logout", "io.pouch.cli.registry.RegistryCommands$Logout");
        COMMANDS.put("search", "io.pouch.cli.registry.RegistryCommands$Search");
        COMMANDS.put("version", "io.pouch.cli.system.VersionCommand");
        COMMANDS.put("info", "io.pouch.cli.system.InfoCommand");
        COMMANDS.put("events", "io.pouch.cli.system.EventsCommand");
        COMMANDS.put("updatedaemon", "io.pouch.cli.system.UpdateDaemonCommand");
        COMMANDS.put("checkpoint", "io.pouch.cli.checkpoint.CheckpointCommands$CheckpointGroup");
        COMMANDS.put("remount-lxcfs", "io.pouch.cli.system.RemountLxcfsCommand");
        COMMANDS.put("completion", "io.pouch.cli.system.CompletionCommand");
        COMMANDS.put("help", "picocli.CommandLine$HelpCommand");
    }

    /** The top-level aliases (their classes' {@code @Command(aliases)}) and the command each names. */
    private static final Map<String, String> ALIASES = Map.of("list", "ps");

    /** The names of the top-level commands, in help's order. */
    static Set<String> commandNames() {
        return COMMANDS.keySet();
    }

    static Class<?> commandClass(String className) {
        try {
            return Class.forName(className, false, Main.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // a name in COMMANDS that does not resolve is a build error; CommandNamesTest covers every one
            throw new IllegalStateException("no command class " + className, e);
        }
    }

    private static final Set<String> HELP_FLAGS = Set.of("-h", "--help", "-v", "--version");

    /** The first word that is not a global option (or its value). */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (Set.of("-H", "--host", "--tlscacert", "--tlscert", "--tlskey").contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /** {@code args} null registers every subcommand. */
    public static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String name = args == null ? null : commandName(args);
        name = name == null ? null : ALIASES.getOrDefault(name, name);
        boolean one = name != null && COMMANDS.containsKey(name) && !name.equals("help") && !name.equals("completion");
        for (Map.Entry<String, String> e : COMMANDS.entrySet()) {
            if (!one || e.getKey().equals(name)) {
                cl.addSubcommand(e.getKey(), commandClass(e.getValue()));
            }
        }
        cl.setExecutionExceptionHandler(new Errors());
        cl.setParameterExceptionHandler(Errors::usage);
        cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
        // a single-valued flag given twice keeps the last value, as with docker's pflag
        cl.setOverwrittenOptionsAllowed(true);
        // everything after the image is the container's command, flags included (docker's interspersed=false)
        for (String cmd : new String[]{"run", "create", "upgrade", "exec", "top"}) { // commands that take a command of their own
            if (cl.getSubcommands().containsKey(cmd)) {
                cl.getSubcommands().get(cmd).setStopAtPositional(true);
            }
        }
        return cl;
    }

    /**
     * The arguments to parse: for a command pouch does not have, without help and version flags, so that it fails
     * even with {@code --help}. Printing the top-level help and exiting 0 (picocli's and docker's way) would tell a
     * script probing {@code pouch build --help} that build exists.
     */
    static String[] unknownCommandWithoutHelp(String[] args) {
        String name = commandName(args);
        if (name == null || COMMANDS.containsKey(name) || ALIASES.containsKey(name)) {
            return args;
        }
        return Arrays.stream(args).filter(a -> !HELP_FLAGS.contains(a)).toArray(String[]::new);
    }

    public static void main(String[] args) {
        args = unknownCommandWithoutHelp(args);
        int code = commandLine(args).execute(args);
        System.out.flush();
        System.exit(code);
    }
}
