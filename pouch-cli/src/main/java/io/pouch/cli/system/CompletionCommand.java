package io.pouch.cli.system;

import io.pouch.cli.CliException;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code completion bash}: prints picocli's generated completion script (bash; zsh via bashcompinit). */
@Command(name = "completion", description = "Generate the shell completion script (source <(pouch completion bash))")
public class CompletionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new CliException("unsupported shell \"" + shell + "\": use bash or zsh");
        }
        spec.commandLine().getOut().print(AutoComplete.bash("pouch", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
