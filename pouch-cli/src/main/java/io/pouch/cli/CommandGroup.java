package io.pouch.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that only groups others ({@code pouch network}, {@code pouch volume}...): alone it prints its usage. */
public abstract class CommandGroup implements Runnable {
    @Option(names = "--help", usageHelp = true, description = "Print usage")
    boolean help;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
