package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Which commands a command line is built with: the one named, else all of them. */
class TopCommandTest {
  private static List<String> commandsFor(String... args) {
    PrintWriter none = new PrintWriter(new StringWriter());
    CommandLine cl = Main.commandLine(args, null, none, none, false);
    return List.copyOf(cl.getSubcommands().keySet());
  }

  @Test
  void aNamedCommandIsTheOnlyOneBuilt() {
    assertEquals(List.of("analyze"), commandsFor("analyze", "--csv", "x.csv"));
    assertEquals(List.of("analyze"), commandsFor("--debug", "analyze", "--help"));
    assertEquals(List.of("demo"), commandsFor("demo", "--seed", "7"));
  }

  @Test
  void otherwiseEveryCommandIsBuiltInUsageOrder() {
    List<String> all = TopCommand.COMMANDS;
    assertEquals(all, commandsFor());
    assertEquals(all, commandsFor("--help"));
    assertEquals(all, commandsFor("help", "analyze"));
    assertEquals(all, commandsFor("analyse", "--csv", "x.csv"));
    assertEquals(all, commandsFor("--version"));
  }

  @Test
  void aMisspeltCommandStillGetsSuggestions() {
    CliRun r = CliRun.of("analyse", "--csv", "x.csv");
    assertEquals(Main.BAD_INPUT, r.code(), r.toString());
    assertTrue(r.err().contains("Did you mean: causal-impact-monitor analyze"), r.err());
  }
}
