package org.causalimpact.monitor.cli;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code causal-impact-monitor}: the parent of every command.
 *
 * <p>The commands are added by {@link #addCommands}, not listed in the annotation: picocli reads the
 * options of every command it is given by reflection, and the streaming commands' classes pull in
 * Kafka's, so a run of one command adds that command alone.
 */
@Command(
    name = "causal-impact-monitor",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Causal impact of interventions on time series: structural causal models, the"
        + " do-operator, conformal and bootstrap intervals.")
public final class TopCommand implements Callable<Integer> {
  /** The commands, in the order the usage lists them. */
  static final List<String> COMMANDS =
      List.of("analyze", "simulate", "demo", "run", "validate", "intervene", "help");

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

  /**
   * Adds to {@code top} the command that {@code args} name, or every command when they name none
   * of them, or {@code help}, or when only top-level options come first: then the usage, the
   * help command and the suggestions for a misspelt name see them all. The top-level options take
   * no value, so the first argument that is not an option is the command's name.
   */
  static void addCommands(CommandLine top, String[] args) {
    String named = "help";
    for (String a : args) {
      if (!a.startsWith("-")) {
        named = a;
        break;
      }
    }
    boolean one = COMMANDS.contains(named) && !named.equals("help");
    for (String name : one ? List.of(named) : COMMANDS) {
      top.addSubcommand(name, commandClass(name));
    }
  }

  /** The class of command {@code name}; a class literal loads its class only when reached. */
  private static Class<?> commandClass(String name) {
    return switch (name) {
      case "analyze" -> AnalyzeCommand.class;
      case "simulate" -> SimulateCommand.class;
      case "demo" -> DemoCommand.class;
      case "run" -> RunCommand.class;
      case "validate" -> ValidateCommand.class;
      case "intervene" -> InterveneCommand.class;
      case "help" -> CommandLine.HelpCommand.class;
      default -> throw new IllegalArgumentException("no command " + name);
    };
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("error: name a command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return Main.BAD_INPUT;
  }
}
