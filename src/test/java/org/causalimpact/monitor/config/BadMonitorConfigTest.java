package org.causalimpact.monitor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.cli.Main;
import org.causalimpact.monitor.graph.GraphException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid monitor definitions that {@code MonitorLoaderTest} and {@code cli.BadInputTest} do not
 * cover: cycles through lagged parents and inside larger graphs, YAML that attacks the parser
 * (alias bombs, deep nesting, type tags, control characters), and the same failures
 * as a user of {@code run} and {@code analyze} meets them: one line naming the file, exit status 2,
 * no stack trace.
 */
class BadMonitorConfigTest {
  private static final String SOURCE = "m.yaml";
  private static final String HEAD = "name: m\npreWindow: 20\n";

  @TempDir Path dir;

  private static InputException rejected(String yaml, String... parts) {
    InputException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () -> assertThrows(InputException.class, () -> MonitorLoader.parse(yaml, SOURCE)));
    String m = e.getMessage();
    assertTrue(m.startsWith(SOURCE + ": "), () -> "message must start with the file: " + m);
    for (String part : parts) {
      assertTrue(m.contains(part), () -> "expected <" + part + "> in: " + m);
    }
    assertFalse(m.contains("\n"), () -> "one line: " + m);
    assertFalse(m.contains("org.yaml") || m.contains("com.fasterxml"), () -> "leaks parser: " + m);
    return e;
  }

  // ---- graphs --------------------------------------------------------------------------------

  @Test
  void cycleThroughALaggedParentIsStillACycle() {
    // lags: 1 means lags 0..1, so b at time t depends on a at time t and a on b: a cycle
    InputException e =
        rejected(
            HEAD
                + """
                nodes:
                  - name: a
                    parents: [{node: b, lags: 1}]
                  - name: b
                    parents: [a]
                """,
            "cycle a -> b -> a",
            "use 'ar' for a node's dependence on its own past");
    assertInstanceOf(GraphException.class, e);
  }

  @Test
  void longCycleInsideALargerGraphIsNamedWithoutTheOtherNodes() {
    InputException e =
        rejected(
            HEAD
                + """
                nodes:
                  - name: root
                  - name: side
                    parents: [root]
                  - name: c1
                    parents: [root, c5]
                  - name: c2
                    parents: [c1]
                  - name: c3
                    parents: [c2, side]
                  - name: c4
                    parents: [c3]
                  - name: c5
                    parents: [c4]
                  - name: leaf
                    parents: [c5, side]
                """,
            "cycle c1 -> c2 -> c3 -> c4 -> c5 -> c1");
    String cycle = e.getMessage().substring(e.getMessage().indexOf("cycle"));
    assertFalse(cycle.contains("root") || cycle.contains("side") || cycle.contains("leaf"), cycle);
  }

  @Test
  void selfLoopGivenAsALaggedParentPointsToAr() {
    rejected(
        HEAD + "nodes:\n  - name: a\n    parents: [{node: a, lags: 2}]\n",
        "nodes[0] 'a': parents[0] is the node itself",
        "'ar: N'");
  }

  // ---- YAML that attacks the parser ----------------------------------------------------------

  @Test
  void aliasBombIsRejectedQuickly() {
    // "billion laughs": nine levels of ten aliases each would expand to 10^9 strings if the
    // reader expanded them; as the value of 'name' it must be rejected as a list, at once
    StringBuilder y = new StringBuilder("name:\n  - &a0 [lol]\n");
    for (int i = 1; i <= 9; i++) {
      y.append("  - &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        y.append(j == 0 ? "" : ",").append("*a").append(i - 1);
      }
      y.append("]\n");
    }
    y.append("preWindow: 20\nnodes: [{name: a}]\n");
    rejected(y.toString(), "name must be text, got a list");
  }

  @Test
  void deeplyNestedYamlIsRejected() {
    rejected(
        HEAD + "nodes: " + "[".repeat(5_000) + "]".repeat(5_000) + "\n", "invalid YAML", "nesting");
  }

  @Test
  void javaTypeTagsAreNotInstantiated() {
    // SnakeYAML's full constructor would build these objects; the monitor reads plain data only
    rejected(
        "name: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
            + " [\"http://127.0.0.1:1/\"]]]]\npreWindow: 20\nnodes: [{name: a}]\n",
        "name must be text, got a list");
  }

  @Test
  void controlCharacterIsRejected() {
    rejected(HEAD + "nodes:\n  - name: a\u0000b\n", "invalid YAML", "special characters are not allowed");
  }

  @Test
  void controlCharacterIsReportedWhereItIs() {
    rejected(HEAD + "nodes:\u0000\n  - name: a\n",
        "invalid YAML at line 3, column 7: ", "U+0000", "special characters are not allowed");
  }

  @Test
  void controlCharacterPastTheParsersFirstBufferCountsCodePointsNotChars() {
    // the reader checks 1024 chars at a time; U+1F600 is two chars but one column
    String comment = "# \uD83D\uDE00 " + "x".repeat(1500) + "\n";
    rejected(comment + HEAD + "nodes:\n  - name: a\n  - name: \u0007b\n",
        "invalid YAML at line 6, column 11: ", "U+0007");
  }

  // ---- through the command line --------------------------------------------------------------

  private static final String CYCLIC =
      HEAD + "nodes:\n  - name: a\n    parents: [b]\n  - name: b\n    parents: [a]\n";

  private record Cli(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  private static Cli cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        assertTimeoutPreemptively(
            Duration.ofSeconds(60),
            () ->
                Main.run(
                    args,
                    new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static void assertBadInput(Cli r, String... parts) {
    assertEquals(2, r.code(), r.toString());
    for (String part : parts) {
      assertTrue(r.err().contains(part), () -> "expected <" + part + "> in\n" + r);
    }
    assertTrue(r.err().startsWith("error: "), r.toString());
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.toString());
  }

  /** {@code run} with a settings file naming an address nothing listens on: it must not get there. */
  private Cli run(Path monitors) throws Exception {
    Path settings = dir.resolve("application.properties");
    Files.writeString(settings, "bootstrap.servers=127.0.0.1:9\n");
    return cli("run", "--config", settings.toString(), "--monitors", monitors.toString(),
        "--port", "-1");
  }

  @Test
  void runWithACyclicMonitorExitsTwoNamingFileAndCycle() throws Exception {
    Path monitors = Files.createDirectories(dir.resolve("monitors"));
    Files.writeString(monitors.resolve("a-good.yaml"), "name: good\npreWindow: 20\n"
        + "nodes:\n  - name: x\n  - name: y\n    parents: [x]\n");
    Path cyclic = Files.writeString(monitors.resolve("b-cyclic.yaml"), CYCLIC);
    Cli r = run(monitors);
    assertBadInput(r, "error: " + cyclic + ": the graph has a cycle a -> b -> a");
    assertEquals("", r.out(), "nothing starts: " + r);
  }

  @Test
  void runWithTwoMonitorsOfOneNameExitsTwo() throws Exception {
    Path monitors = Files.createDirectories(dir.resolve("monitors"));
    String yaml = HEAD + "nodes:\n  - name: x\n";
    Files.writeString(monitors.resolve("one.yaml"), yaml);
    Path second = Files.writeString(monitors.resolve("two.yml"), yaml);
    assertBadInput(run(monitors), "two monitors in " + monitors + " are named 'm'", second.toString());
  }

  @Test
  void runWithoutMonitorDefinitionsExitsTwo() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("notes.txt"), "not a monitor");
    assertBadInput(run(empty), "monitor directory " + empty + " has no *.yaml monitor definitions");
    assertBadInput(run(dir.resolve("absent")), "monitor directory " + dir.resolve("absent")
        + " does not exist");
  }

  @Test
  void analyzeWithACyclicMonitorExitsTwoNamingFileAndCycle() throws Exception {
    Path monitor = Files.writeString(dir.resolve("cyclic.yaml"), CYCLIC);
    StringBuilder csv = new StringBuilder("time,a,b\n");
    for (int t = 0; t < 40; t++) {
      csv.append(String.format(java.util.Locale.ROOT, "2026-01-01T%02d:00:00Z,%d,%d%n",
          t % 24, t, 2 * t + t % 3));
    }
    Path data = Files.writeString(dir.resolve("data.csv"), csv);
    Cli r =
        cli("analyze", "--monitor", monitor.toString(), "--csv", data.toString(), "--intervention",
            "{\"id\": \"c\", \"timestamp\": \"2026-01-01T20:00:00Z\", \"do\": {\"a\": {\"shift\": 1}}}");
    assertBadInput(r, "error: " + monitor + ": the graph has a cycle a -> b -> a");
    assertEquals("", r.out(), r.toString());
  }
}
