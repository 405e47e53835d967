package io.pouch.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands registered by name: each one resolves, is registered alone when named, and answers its help. */
class CommandNamesTest {
    @Test
    void everyCommandIsReachableByItsName() {
        List<String> failed = new ArrayList<>();
        for (String name : Main.commandNames()) {
            String[] args = name.equals("completion") ? new String[]{name, "bash"} : new String[]{name, "--help"};
            CommandLine cl = Main.commandLine(args);
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(new StringWriter()));
            int code = cl.execute(args);
            if (!cl.getSubcommands().containsKey(name) || code != 0 || out.toString().isEmpty()) {
                failed.add(name + " (exit " + code + ")");
            }
        }
        assertEquals(List.of(), failed);
    }

    @Test
    void aNamedCommandIsTheOnlyOneRegistered() {
        CommandLine cl = Main.commandLine(new String[]{"-H", "unix:///x.sock", "ps", "-a"});
        assertEquals(List.of("ps"), names(cl));
        assertEquals("io.pouch.cli.container.PsCommand", cl.getSubcommands().get("ps").getCommand().getClass().getName());
    }

    @Test
    void helpCompletionAndNoCommandRegisterEveryCommandInHelpsOrder() {
        for (String[] args : new String[][]{{"help"}, {"completion", "bash"}, {"--help"}, {}}) {
            CommandLine cl = Main.commandLine(args);
            assertEquals(List.copyOf(Main.commandNames()), names(cl), String.join(" ", args));
        }
    }

    @Test
    void completionStillCoversEveryCommand() {
        String[] args = {"completion", "bash"};
        CommandLine cl = Main.commandLine(args);
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(args));
        for (String name : Main.commandNames()) {
            assertTrue(out.toString().contains(name), name);
        }
    }

    @Test
    void anAliasRegistersItsCommandAndKeepsItsHelp() {
        String[] args = {"list", "--help"};
        CommandLine cl = Main.commandLine(Main.unknownCommandWithoutHelp(args));
        assertEquals(List.of("ps"), names(cl));
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute(args));
        assertTrue(out.toString().contains("List containers"), out.toString());
    }

    /** The registered commands' names, without their aliases. */
    private static List<String> names(CommandLine cl) {
        return cl.getSubcommands().values().stream().map(CommandLine::getCommandName).distinct().toList();
    }

    @Test
    void runKeepsItsContainersFlagsAfterTheImage() {
        CommandLine cl = Main.commandLine(new String[]{"run", "busybox", "ls", "-l"});
        assertTrue(cl.getSubcommands().get("run").isStopAtPositional());
    }
}
