package io.pouch.cli;

import io.pouch.cli.checkpoint.CheckpointCommands;
import io.pouch.cli.container.AttachCommand;
import io.pouch.cli.container.ContainerCommands;
import io.pouch.cli.container.CreateCommand;
import io.pouch.cli.container.ExecCommands;
import io.pouch.cli.container.LifecycleCommands;
import io.pouch.cli.container.LogsCommand;
import io.pouch.cli.container.PsCommand;
import io.pouch.cli.container.RunCommand;
import io.pouch.cli.container.StartCommand;
import io.pouch.cli.image.ImageCommands;
import io.pouch.cli.network.NetworkCommands;
import io.pouch.cli.network.PortCommand;
import io.pouch.cli.registry.RegistryCommands;
import io.pouch.cli.system.CompletionCommand;
import io.pouch.cli.system.EventsCommand;
import io.pouch.cli.system.InfoCommand;
import io.pouch.cli.system.InspectCommand;
import io.pouch.cli.system.UpdateDaemonCommand;
import io.pouch.cli.system.RemountLxcfsCommand;
import io.pouch.cli.system.VersionCommand;
import io.pouch.cli.volume.VolumeCommands;
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
     * The subcommands, in the order help lists them. Building picocli's model reflects over every class given to
     * it, so a normal invocation registers only the command it names; help, completion and unknown names get all.
     */
    private static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("run", RunCommand.class);
        COMMANDS.put("create", CreateCommand.class);
        COMMANDS.put("start", StartCommand.class);
        COMMANDS.put("attach", AttachCommand.class);
        COMMANDS.put("stop", ContainerCommands.Stop.class);
        COMMANDS.put("kill", ContainerCommands.Kill.class);
        COMMANDS.put("restart", ContainerCommands.Restart.class);
        COMMANDS.put("pause", ContainerCommands.Pause.class);
        COMMANDS.put("unpause", ContainerCommands.Unpause.class);
        COMMANDS.put("rm", ContainerCommands.Rm.class);
        COMMANDS.put("rename", ContainerCommands.Rename.class);
        COMMANDS.put("update", LifecycleCommands.Update.class);
        COMMANDS.put("upgrade", LifecycleCommands.Upgrade.class);
        COMMANDS.put("wait", ContainerCommands.Wait.class);
        COMMANDS.put("ps", PsCommand.class);
        COMMANDS.put("exec", ExecCommands.Exec.class);
        COMMANDS.put("top", ExecCommands.Top.class);
        COMMANDS.put("stats", ExecCommands.Stats.class);
        COMMANDS.put("diff", ExecCommands.Diff.class);
        COMMANDS.put("export", ExecCommands.Export.class);
        COMMANDS.put("commit", ExecCommands.Commit.class);
        COMMANDS.put("cp", ExecCommands.Cp.class);
        COMMANDS.put("logs", LogsCommand.class);
        COMMANDS.put("inspect", InspectCommand.class);
        COMMANDS.put("images", ImageCommands.Images.class);
        COMMANDS.put("image", ImageCommands.ImageGroup.class);
        COMMANDS.put("tag", ImageCommands.Tag.class);
        COMMANDS.put("rmi", ImageCommands.Rmi.class);
        COMMANDS.put("save", ImageCommands.Save.class);
        COMMANDS.put("load", ImageCommands.Load.class);
        COMMANDS.put("import", ImageCommands.Import.class);
        COMMANDS.put("history", ImageCommands.History.class);
        COMMANDS.put("pull", ImageCommands.Pull.class);
        COMMANDS.put("volume", VolumeCommands.VolumeGroup.class);
        COMMANDS.put("network", NetworkCommands.NetworkGroup.class);
        COMMANDS.put("port", PortCommand.class);
        COMMANDS.put("push", RegistryCommands.Push.class);
        COMMANDS.put("login", RegistryCommands.Login.class);
        COMMANDS.put("logout", RegistryCommands.Logout.class);
        COMMANDS.put("search", RegistryCommands.Search.class);
        COMMANDS.put("version", VersionCommand.class);
        COMMANDS.put("info", InfoCommand.class);
        COMMANDS.put("events", EventsCommand.class);
        COMMANDS.put("updatedaemon", UpdateDaemonCommand.class);
        COMMANDS.put("checkpoint", CheckpointCommands.CheckpointGroup.class);
        COMMANDS.put("remount-lxcfs", RemountLxcfsCommand.class);
        COMMANDS.put("completion", CompletionCommand.class);
        COMMANDS.put("help", CommandLine.HelpCommand.class);
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
        boolean one = name != null && COMMANDS.containsKey(name) && !name.equals("help") && !name.equals("completion");
        for (Map.Entry<String, Class<?>> e : COMMANDS.entrySet()) {
            if (!one || e.getKey().equals(name)) {
                cl.addSubcommand(e.getKey(), e.getValue());
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
        if (name == null || COMMANDS.containsKey(name)) {
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
