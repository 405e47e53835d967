package io.pouch.cli;

import io.pouch.cli.format.TemplateException;
import io.pouch.client.PouchClientException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;

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

    static int usage(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        var err = cl.getErr();
        err.println("pouch: " + ex.getMessage());
        err.println("See '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return 125;
    }
}
