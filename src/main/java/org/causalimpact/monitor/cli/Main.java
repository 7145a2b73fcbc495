package org.causalimpact.monitor.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.causalimpact.monitor.InputException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code causal-impact-monitor}. Exit status: 0 on success, 2 for bad input (an
 * {@link InputException}, an unknown option or a malformed option value: the message is printed
 * with a usage hint, never a stack trace), 1 for anything unexpected ({@code internal error: ...};
 * the stack trace only with {@code --debug}).
 */
public final class Main {
  /** Exit status for bad input. */
  public static final int BAD_INPUT = 2;

  /** Exit status for an unexpected failure. */
  public static final int INTERNAL_ERROR = 1;

  private Main() {}

  public static void main(String[] args) {
    // Charts are drawn off-screen; without this AWT looks for a display and fails on servers.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    // bin/causal-impact-monitor starts analyze with C1 alone and says so (-Dcim.jit=c1)
    boolean quickAlready = "c1".equals(System.getProperty("cim.jit"));
    if (args.length > 0 && args[0].equals("analyze") && !quickAlready) {
      QuickCompilation.request();
    }
    System.exit(run(args, System.in, System.out, System.err));
  }

  /** Runs the command line in-process with standard input {@code System.in}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  /**
   * Runs the command line in-process.
   *
   * @param in what {@code --csv -} reads
   * @param out results (reports, CSV)
   * @param err messages
   * @return the exit status
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    PrintWriter stdout = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter stderr = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    boolean debug = Arrays.asList(args).contains("--debug");
    try {
      return commandLine(args, in, stdout, stderr, debug).execute(args);
    } finally {
      stdout.flush();
      stderr.flush();
    }
  }

  /** The command line with every command. */
  static CommandLine commandLine(
      InputStream in, PrintWriter stdout, PrintWriter stderr, boolean debug) {
    return commandLine(new String[0], in, stdout, stderr, debug);
  }

  /** The command line with the commands that {@code args} need ({@link TopCommand#addCommands}). */
  static CommandLine commandLine(
      String[] args, InputStream in, PrintWriter stdout, PrintWriter stderr, boolean debug) {
    CommandLine cl = new CommandLine(new TopCommand(in));
    TopCommand.addCommands(cl, args);
    cl.setOut(stdout);
    cl.setErr(stderr);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // "--intervention @event.json" names a file for us to read, not a picocli argument file.
    cl.setExpandAtFiles(false);
    cl.setParameterExceptionHandler(parameterHandler(stderr));
    cl.setExecutionExceptionHandler(executionHandler(stderr, debug));
    return cl;
  }

  private static IParameterExceptionHandler parameterHandler(PrintWriter err) {
    return (ParameterException ex, String[] args) -> {
      CommandLine cmd = ex.getCommandLine();
      err.println("error: " + ex.getMessage());
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println(
          "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
      return BAD_INPUT;
    };
  }

  private static IExecutionExceptionHandler executionHandler(PrintWriter err, boolean debug) {
    return (Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) -> {
      if (ex instanceof InputException) {
        err.println("error: " + ex.getMessage());
        if (debug) {
          ex.printStackTrace(err);
        }
        return BAD_INPUT;
      }
      err.println("internal error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (debug) {
        ex.printStackTrace(err);
      } else {
        err.println("(run again with --debug for the stack trace, and please report it)");
      }
      return INTERNAL_ERROR;
    };
  }
}
