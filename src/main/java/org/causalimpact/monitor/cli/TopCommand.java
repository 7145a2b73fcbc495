package org.causalimpact.monitor.cli;

import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code causal-impact-monitor}: the parent of every command. */
@Command(
    name = "causal-impact-monitor",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Causal impact of interventions on time series: structural causal models, the"
        + " do-operator, conformal and bootstrap intervals.",
    subcommands = {
      AnalyzeCommand.class,
      SimulateCommand.class,
      DemoCommand.class,
      RunCommand.class,
      ValidateCommand.class,
      InterveneCommand.class,
      picocli.CommandLine.HelpCommand.class
    })
public final class TopCommand implements Callable<Integer> {
  private final InputStream stdin;

  @Spec CommandSpec spec;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "On an internal error, print the stack trace.")
  boolean debug;

  TopCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  /** What {@code --csv -} reads. */
  InputStream stdin() {
    return stdin;
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("error: name a command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return Main.BAD_INPUT;
  }
}
