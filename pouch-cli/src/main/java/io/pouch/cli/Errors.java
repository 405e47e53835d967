package io.pouch.cli;

import io.pouch.cli.format.TemplateException;
import io.pouch.client.PouchClientException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Turns failures into docker's wording and exit codes: daemon errors print {@code Error response from daemon: ...};
 * a daemon that is not there prints the connect message as is; usage errors print the problem and a pointer to
 * {@code --help} and exit 125 like docker's flag errors. Commands that create or run containers exit 125 on any
 * such error ({@link PouchCommand#errorExitCode()}), the others 1, as docker does.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (isBrokenPipe(ex)) {
            return 141; // stdout went away (`pouch logs | head`): quiet, as a Go program killed by SIGPIPE
        }
        int code = cl.getCommand() instanceof PouchCommand pc ? pc.errorExitCode() : 1;
        var err = cl.getErr();
        switch (ex) {
            case PouchClientException e when e.isTransportFailure() -> err.println(e.getMessage());
            case PouchClientException e -> err.println("Error response from daemon: " + e.getMessage());
            case CliException e when e.getMessage().startsWith("invalid argument \"") -> {
                // a flag value the CLI cannot read: docker shows it with the usage, like a parse error
                err.println(e.getMessage());
                err.println();
                err.println("Usage:  " + synopsis(cl.getCommandSpec()));
                err.println();
                err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for more information");
                code = e.exitCode() >= 0 ? e.exitCode() : 125;
            }
            case CliException e -> {
                err.println("Error: " + e.getMessage());
                code = e.exitCode() >= 0 ? e.exitCode() : code;
            }
            case TemplateException e -> err.println("Error: " + e.getMessage());
            case IllegalArgumentException e -> err.println("Error: " + e.getMessage());
            case UncheckedIOException e -> err.println("Error: " + e.getCause().getMessage());
            case IOException e -> err.println("Error: " + e.getMessage());
            default -> {
                err.println("Error: " + ex);
                if (isDebug(cl)) {
                    ex.printStackTrace(err);
                }
            }
        }
        err.flush();
        return code;
    }

    private static boolean isBrokenPipe(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof IOException && "Broken pipe".equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDebug(CommandLine cl) {
        return cl.getCommandSpec().root().userObject() instanceof Main m && m.debug;
    }

    /**
     * Flag and argument errors, laid out as the docker CLI 28 does: the problem ({@code unknown flag: --foo},
     * {@code unknown shorthand flag: 'Z' in -Z} for options picocli does not know), a blank line, the command's
     * usage line, a blank line and a pointer to {@code --help}; exit 125.
     */
    static int usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        var err = cl.getErr();
        String unknown = ex instanceof CommandLine.UnmatchedArgumentException u ? unknownFlag(u.getUnmatched()) : null;
        String command = unknown == null && ex instanceof CommandLine.UnmatchedArgumentException u
                ? unknownCommand(cl.getCommandSpec(), u.getUnmatched()) : null;
        if (command != null) {
            // docker's wording and exit code for a command it does not have (not a flag error: exit 1, not 125)
            err.println(command);
            err.println();
            if (cl.getCommandSpec().parent() != null) {
                err.println("Usage:  " + synopsis(cl.getCommandSpec()));
                err.println();
            }
            err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for more information");
            err.flush();
            return 1;
        }
        String badValue = badValue(ex);
        err.println(unknown != null ? unknown : badValue != null ? badValue : "pouch: " + ex.getMessage());
        err.println();
        err.println("Usage:  " + synopsis(cl.getCommandSpec()));
        err.println();
        err.println("Run '" + cl.getCommandSpec().qualifiedName() + " --help' for more information");
        err.flush();
        return 125;
    }

    /**
     * A number or boolean flag picocli could not convert, in pflag's words: {@code invalid argument "x" for
     * "-c, --cpu-shares" flag: strconv.ParseInt: parsing "x": invalid syntax}; null for other errors.
     */
    static String badValue(CommandLine.ParameterException ex) {
        if (!(ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o) || ex.getValue() == null
                || !String.valueOf(ex.getMessage()).startsWith("Invalid value for option")) {
            return null;
        }
        Class<?> t = o.type();
        String parse = t == long.class || t == Long.class || t == int.class || t == Integer.class ? "ParseInt"
                : t == boolean.class || t == Boolean.class ? "ParseBool" : null;
        if (parse == null) {
            return null;
        }
        String v = ex.getValue();
        return "invalid argument \"" + v + "\" for \"" + String.join(", ", o.names()) + "\" flag: strconv." + parse
                + ": parsing \"" + v + "\": invalid syntax";
    }

    /**
     * {@code pouch: unknown command: pouch image foo} when the first unmatched word stands where a subcommand of
     * {@code spec} belongs (docker's wording); null when {@code spec} has no subcommands or nothing is unmatched.
     */
    static String unknownCommand(CommandLine.Model.CommandSpec spec, List<String> unmatched) {
        if (spec.subcommands().isEmpty() || unmatched.isEmpty() || unmatched.getFirst().startsWith("-")) {
            return null;
        }
        return spec.root().name() + ": unknown command: " + spec.qualifiedName() + " " + unmatched.getFirst();
    }

    /** docker's wording for the first unknown option among {@code unmatched}; null when none is an option. */
    static String unknownFlag(List<String> unmatched) {
        for (String a : unmatched) {
            if (a.startsWith("--") && a.length() > 2) {
                int eq = a.indexOf('=');
                return "unknown flag: " + (eq < 0 ? a : a.substring(0, eq));
            }
            if (a.startsWith("-") && a.length() > 1) {
                return "unknown shorthand flag: '" + a.charAt(1) + "' in " + a;
            }
        }
        return null;
    }

    /** {@code pouch run [OPTIONS] IMAGE [COMMAND...]}, from the command's options and positional parameters. */
    static String synopsis(CommandLine.Model.CommandSpec spec) {
        StringBuilder b = new StringBuilder(spec.qualifiedName());
        if (spec.options().stream().anyMatch(o -> !o.usageHelp() && !o.versionHelp())) {
            b.append(" [OPTIONS]");
        }
        if (!spec.subcommands().isEmpty()) {
            b.append(" COMMAND");
        }
        for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
            String label = p.paramLabel() + (p.isMultiValue() ? "..." : "");
            b.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        return b.toString();
    }
}
