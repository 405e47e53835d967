package io.pouch.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command pouch does not have fails as docker's does: its wording, exit 1; an unknown flag is still 125. */
class UnknownCommandTest {
    private record Run(int code, String out, String err) {
    }

    private static Run run(String... given) {
        String[] args = Main.unknownCommandWithoutHelp(given);
        CommandLine cl = Main.commandLine(args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void anUnknownTopLevelCommandExitsOneWithDockersWording() {
        Run r = run("foo");
        assertEquals(1, r.code());
        assertEquals("pouch: unknown command: pouch foo\n\nRun 'pouch --help' for more information\n", r.err());
    }

    @Test
    void anUnknownCommandFailsEvenWithHelp() {
        Run r = run("frobnicate", "--help");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("pouch: unknown command: pouch frobnicate\n"), r.err());
        assertFalse(r.out().contains("Usage"), r.out());
    }

    @Test
    void anUnknownSubcommandOfAGroupNamesTheGroup() {
        Run r = run("volume", "foo");
        assertEquals(1, r.code());
        assertEquals("pouch: unknown command: pouch volume foo\n\nUsage:  pouch volume COMMAND\n\n"
                + "Run 'pouch volume --help' for more information\n", r.err());
    }

    @Test
    void anUnknownFlagWinsOverAnUnknownCommand() {
        Run r = run("foo", "-x");
        assertEquals(125, r.code());
        assertTrue(r.err().startsWith("unknown shorthand flag: 'x' in -x"), r.err());
    }

    @Test
    void knownCommandsKeepTheirHelp() {
        Run r = run("ps", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage"), r.out());
    }
}
