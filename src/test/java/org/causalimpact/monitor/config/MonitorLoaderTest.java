package org.causalimpact.monitor.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.GraphException;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MonitorLoaderTest {
  private static final String SOURCE = "m.yaml";

  /** A valid two-node file; tests append or replace lines to break one thing at a time. */
  private static final String HEAD = "name: m\npreWindow: 20\n";

  private static final String TWO_NODES =
      HEAD
          + """
          nodes:
            - name: a
            - name: b
              parents: [a]
          """;

  private static MonitorDefinition parse(String yaml) {
    return MonitorLoader.parse(yaml, SOURCE);
  }

  /** Asserts that parsing fails with a message starting with the source and holding each part. */
  private static InputException assertRejected(String yaml, String... parts) {
    InputException e = assertThrows(InputException.class, () -> parse(yaml));
    String m = e.getMessage();
    assertTrue(m.startsWith(SOURCE + ": "), () -> "message must start with the file: " + m);
    for (String part : parts) {
      assertTrue(m.contains(part), () -> "expected <" + part + "> in: " + m);
    }
    assertFalse(m.contains("com.fasterxml") || m.contains("org.yaml"), () -> "leaks parser: " + m);
    assertFalse(m.contains("\n"), () -> "message must be one line: " + m);
    return e;
  }

  @Nested
  class ExampleFiles {
    @Test
    void loadsTheDemoFunnel() {
      MonitorDefinition d = MonitorLoader.load(Path.of("config/monitors/demo.yaml"));

      assertEquals("demo", d.name());
      assertEquals(Duration.ofMinutes(1), d.step());
      assertEquals(480, d.preWindow());
      CausalGraph g = d.graph();
      assertEquals(List.of("season", "ad_spend", "visits", "signups", "control"), g.nodeNames());
      assertEquals(List.of(new Parent("ad_spend", 1)), g.node("visits").parents());
      assertEquals(1, g.node("visits").arOrder());
      assertEquals(1, g.node("signups").arOrder());
      assertEquals(new Seasonality(60, 1), g.node("season").seasonality());
      assertNull(g.node("visits").seasonality());
      assertEquals(Set.of("visits", "signups"), g.descendants(List.of("ad_spend")));
      assertFalse(g.descendants(List.of("ad_spend")).contains("control"));
      assertEquals(new IntervalSettings(0.95, 1000, 0, 0.5, 7L), d.intervals());
      assertEquals(0.0, d.fit().ridge());

      SimulationSpec sim = d.simulation();
      assertEquals(600, sim.rows());
      assertEquals(g.nodeNames(), List.copyOf(sim.equations().keySet()));
      TrueEquation visits = sim.equations().get("visits");
      assertEquals(List.of(2.0, 0.5), visits.parents().get("ad_spend"));
      assertEquals(List.of(0.3), visits.ar());
      for (TrueEquation eq : sim.equations().values()) {
        for (double phi : eq.ar()) {
          assertTrue(Math.abs(phi) < 1, "true AR coefficients must be stable");
        }
      }
    }

    @Test
    void loadsTheConfoundedExample() {
      MonitorDefinition d = MonitorLoader.load(Path.of("config/monitors/confounded.yaml"));

      CausalGraph g = d.graph();
      assertEquals(List.of("C", "Z", "Y"), g.topologicalOrder());
      assertEquals(List.of("Z", "C"), g.parents("Y"));
      assertEquals(400, d.preWindow());
      assertEquals(500, d.simulation().rows());
      TrueEquation y = d.simulation().equations().get("Y");
      assertEquals(List.of(2.0), y.parents().get("Z"));
      assertEquals(List.of(3.0), y.parents().get("C"));
      assertEquals(List.of(1.0), d.simulation().equations().get("Z").parents().get("C"));
      for (NodeDefinition n : g.nodes()) {
        assertEquals(0, n.maxLag(), n.name());
      }
    }
  }

  @Nested
  class Defaults {
    @Test
    void minimalFileGetsDocumentedDefaults() {
      MonitorDefinition d = parse(TWO_NODES);

      assertEquals("m", d.name());
      assertEquals(Duration.ofMinutes(1), d.step());
      assertEquals(20, d.preWindow());
      assertEquals(0.0, d.fit().ridge());
      assertEquals(IntervalSettings.defaults(), d.intervals());
      assertEquals(1L, d.intervals().seed());
      assertNull(d.simulation());
      NodeDefinition b = d.graph().node("b");
      assertEquals(new NodeDefinition("b", List.of(new Parent("a", 0)), 0, null, false,
          Aggregation.MEAN, Level.AUTO), b);
    }

    @Test
    void levelDefaultsToAutoAndNodesOverrideIt() {
      MonitorDefinition d =
          parse(
              HEAD
                  + """
                  model:
                    level: local
                  nodes:
                    - name: a
                    - name: b
                      parents: [a]
                      level: TREND
                    - name: c
                      parents: [b]
                      level: none
                  """);
      assertEquals(Level.LOCAL, d.graph().node("a").level());
      assertEquals(Level.TREND, d.graph().node("b").level());
      assertEquals(Level.NONE, d.graph().node("c").level());
      assertEquals(Level.AUTO, parse(TWO_NODES).graph().node("a").level());
      InputException e =
          assertThrows(
              InputException.class,
              () ->
                  parse(
                      HEAD
                          + """
                          model:
                            level: drifting
                          nodes:
                            - name: a
                          """));
      assertTrue(e.getMessage().contains("unknown level 'drifting': use one of auto, none, local, trend"),
          e.getMessage());
    }

    @Test
    void outliersAreKeptUnlessReplaceIsAsked() {
      assertFalse(parse(TWO_NODES).fit().replaceOutliers());
      MonitorDefinition d =
          parse(
              HEAD
                  + """
                  model:
                    ridge: 0.5
                    outliers: Replace
                  nodes:
                    - name: a
                  """);
      assertTrue(d.fit().replaceOutliers());
      assertEquals(0.5, d.fit().ridge());
      assertRejected(
          HEAD + "model: {outliers: drop}\nnodes: [{name: a}]\n",
          "outliers must be keep or replace, got 'drop'");
    }

    @Test
    void modelBlockSetsNodeDefaultsAndNodesOverrideThem() {
      MonitorDefinition d =
          parse(
              HEAD
                  + """
                  model:
                    ridge: 0.5
                    ar: 2
                    lags: 3
                    seasonality: {period: 24, harmonics: 2}
                    trend: true
                    aggregation: sum
                  nodes:
                    - name: a
                    - name: b
                      parents: [a]
                    - name: c
                      parents: [{node: b, lags: 1}, {node: a}]
                      ar: 0
                      seasonality: null
                      trend: false
                      aggregation: LAST
                  """);

      assertEquals(0.5, d.fit().ridge());
      NodeDefinition b = d.graph().node("b");
      assertEquals(List.of(new Parent("a", 3)), b.parents());
      assertEquals(2, b.arOrder());
      assertEquals(new Seasonality(24, 2), b.seasonality());
      assertTrue(b.trend());
      assertEquals(Aggregation.SUM, b.aggregation());
      NodeDefinition c = d.graph().node("c");
      assertEquals(List.of(new Parent("b", 1), new Parent("a", 3)), c.parents());
      assertEquals(0, c.arOrder());
      assertNull(c.seasonality());
      assertFalse(c.trend());
      assertEquals(Aggregation.LAST, c.aggregation());
    }

    @Test
    void emptyBlocksAndNullsMeanDefaults() {
      MonitorDefinition d =
          parse(TWO_NODES + "model:\nintervals: ~\nsimulation:\nseed: -3\n");

      assertEquals(0.0, d.fit().ridge());
      assertEquals(IntervalSettings.defaults().withSeed(-3L), d.intervals());
      assertNull(d.simulation());
    }

    @Test
    void intervalBlockIsRead() {
      MonitorDefinition d =
          parse(
              TWO_NODES
                  + """
                  seed: 42
                  intervals:
                    level: 0.9
                    bootstrap: {replicates: 1e3, blockLength: 12}
                    conformal: {calibrationFraction: 0.25}
                  """);

      assertEquals(new IntervalSettings(0.9, 1000, 12, 0.25, 42L), d.intervals());
    }

    @ParameterizedTest
    @CsvSource({"auto, 0", "AUTO, 0", "0, 0", "7, 7"})
    void blockLengthAcceptsAutoZeroOrPositive(String given, int expected) {
      MonitorDefinition d =
          parse(TWO_NODES + "intervals:\n  bootstrap: {blockLength: " + given + "}\n");

      assertEquals(expected, d.intervals().blockLength());
    }

    @ParameterizedTest
    @CsvSource({"PT5M, PT5M", "pt30s, PT30S", "30s, PT30S", "1m, PT1M", "2h, PT2H", "1d, PT24H",
        "P1D, PT24H"})
    void stepAcceptsIsoAndShorthand(String given, String expected) {
      MonitorDefinition d = parse("step: " + given + "\n" + TWO_NODES);

      assertEquals(Duration.parse(expected), d.step());
    }
  }

  @Nested
  class GraphErrors {
    @Test
    void twoCycleIsReportedWithItsPath() {
      InputException e =
          assertRejected(
              HEAD
                  + """
                  nodes:
                    - name: a
                      parents: [b]
                    - name: b
                      parents: [a]
                  """,
              "cycle a -> b -> a",
              "must be acyclic");

      assertInstanceOf(GraphException.class, e);
    }

    @Test
    void threeCycleIsReportedWithItsPath() {
      InputException e =
          assertRejected(
              HEAD
                  + """
                  nodes:
                    - name: root
                    - name: a
                      parents: [root, c]
                    - name: b
                      parents: [a]
                    - name: c
                      parents: [b]
                  """,
              "cycle a -> b -> c -> a");

      assertInstanceOf(GraphException.class, e);
    }

    @Test
    void selfParentPointsToAr() {
      assertRejected(
          HEAD
              + """
              nodes:
                - name: a
                  parents: [a]
              """,
          "m.yaml: nodes[0] 'a': parents[0] is the node itself",
          "'ar: N'");
    }

    @Test
    void unknownParentIsNamed() {
      InputException e =
          assertRejected(
              HEAD
                  + """
                  nodes:
                    - name: a
                    - name: b
                      parents: [adspend]
                  """,
              "node 'b' has unknown parent 'adspend'",
              "known nodes: a, b");

      assertInstanceOf(GraphException.class, e);
    }

    @Test
    void duplicateNodeIsNamed() {
      assertRejected(
          HEAD
              + """
              nodes:
                - name: a
                - name: b
                - name: a
              """,
          "node 'a' is defined twice");
    }

    @Test
    void parentListedTwiceIsNamed() {
      assertRejected(
          HEAD
              + """
              nodes:
                - name: a
                - name: b
                  parents: [a, {node: a, lags: 2}]
              """,
          "node 'b' lists parent 'a' twice");
    }

    @Test
    void emptyNodeListIsRejected() {
      assertRejected(HEAD + "nodes: []\n", "m.yaml: nodes must list at least one node");
    }

    @Test
    void missingNodesIsRejected() {
      assertRejected(HEAD, "missing required field 'nodes'");
    }

    @Test
    void nodeWithoutNameIsRejected() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - parents: [a]\n",
          "m.yaml: nodes[1]: missing required field 'name'");
    }

    @Test
    void nodeGivenAsBareStringIsRejected() {
      assertRejected(HEAD + "nodes: [a, b]\n", "nodes[0] must be a mapping", "got 'a'");
    }

    @Test
    void nodeNameWithSpaceIsRejected() {
      assertRejected(
          HEAD + "nodes:\n  - name: ad spend\n",
          "m.yaml: nodes[0]: name must use only letters, digits",
          "got 'ad spend'");
    }

    @Test
    void parentLagOutOfRangeIsRejected() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - name: b\n    parents: [{node: a, lags: 51}]\n",
          "m.yaml: nodes[1] 'b': parents[0].lags must be an integer between 0 and 50, got 51");
    }

    @Test
    void parentOfWrongShapeIsRejected() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - name: b\n    parents: [[a]]\n",
          "nodes[1] 'b': parents[0] must be a node name or '{node: NAME, lags: L}', got a list");
    }
  }

  @Nested
  class BadValues {
    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "intervals: {level: 1.5}"
              + "| m.yaml: intervals.level: interval level must be in (0, 1), e.g. 0.95; got 1.5",
          "model: {ridge: -1}| m.yaml: model.ridge: ridge must be a finite number >= 0, got -1.0",
          "intervals: {bootstrap: {replicates: 5}}"
              + "| m.yaml: intervals.bootstrap.replicates: bootstrap replicates must be >= 19",
          "intervals: {conformal: {calibrationFraction: 0}}"
              + "| m.yaml: intervals.conformal.calibrationFraction: conformal calibration fraction"
              + " must be in (0, 1), e.g. 0.5; got 0.0",
          "model: {seasonality: {period: 10, harmonics: 6}}"
              + "| m.yaml: model.seasonality: seasonality harmonics must be between 1 and"
              + " period/2 = 5, got 6",
          "model: {seasonality: {period: 1, harmonics: 1}}"
              + "| m.yaml: model.seasonality: seasonality period must be >= 2 steps, got 1.0",
          "model: {ar: 1.5}| m.yaml: model.ar must be an integer, got 1.5",
          "model: {ar: -1}| m.yaml: model.ar must be an integer between 0 and 50, got -1",
          "model: {lags: 51}| m.yaml: model.lags must be an integer between 0 and 50, got 51",
          "model: {ridge: .nan}| m.yaml: model.ridge must be a finite number, got NaN",
          "model: {ridge: NaN}| m.yaml: model.ridge must be a finite number, got 'NaN'",
          "intervals: {level: .inf}| m.yaml: intervals.level must be a finite number, got Infinity",
          "model: {seasonality: {period: -.inf, harmonics: 1}}"
              + "| m.yaml: model.seasonality.period must be a finite number, got -Infinity",
          "model: {ridge: high}| m.yaml: model.ridge must be a finite number, got 'high'",
          "model: {trend: 1}| m.yaml: model.trend must be true or false, got 1",
          "model: {aggregation: avg}"
              + "| m.yaml: model.aggregation: unknown aggregation 'avg': use one of sum, mean, last",
          "model: {aggregation: 1}| m.yaml: model.aggregation must be text, got 1",
          "model: {seasonality: 24}| m.yaml: model.seasonality must be a mapping",
          "model: {seasonality: {period: 24}}"
              + "| m.yaml: missing required field 'model.seasonality.harmonics'",
          "intervals: {bootstrap: {blockLength: fast}}"
              + "| m.yaml: intervals.bootstrap.blockLength must be 'auto' or an integer >= 0,"
              + " got 'fast'",
          "intervals: {bootstrap: {blockLength: -2}}"
              + "| m.yaml: intervals.bootstrap.blockLength must be an integer >= 0, got -2",
          "seed: 1.5| m.yaml: seed must be an integer, got 1.5",
          "seed: 123456789012345678901234| m.yaml: seed is too large, got 123456789012345678901234",
          "intervals: [0.95]| m.yaml: intervals must be a mapping of 'key: value' lines, got a list",
        })
    void isRejectedWithFieldAndValue(String line, String expected) {
      assertRejected(TWO_NODES + line + "\n", expected);
    }

    @Test
    void nodeArMustBeAnInteger() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - name: b\n    ar: 1.5\n",
          "m.yaml: nodes[1] 'b': ar must be an integer, got 1.5");
    }

    @Test
    void nodeArMustNotBeNegative() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n    ar: -1\n",
          "m.yaml: nodes[0] 'a': ar must be an integer between 0 and 50, got -1");
    }

    @Test
    void nodeSeasonalityHarmonicsAreChecked() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n    seasonality: {period: 60, harmonics: 31}\n",
          "m.yaml: nodes[0] 'a': seasonality: seasonality harmonics must be between 1 and"
              + " period/2 = 30, got 31");
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 9, 0, -5})
    void preWindowBelowTenIsRejected(int preWindow) {
      assertRejected(
          "name: m\npreWindow: " + preWindow + "\nnodes: [{name: a}]\n",
          "m.yaml: preWindow must be an integer >= 10, got " + preWindow);
    }

    @Test
    void preWindowIsRequired() {
      assertRejected(
          "name: m\nnodes: [{name: a}]\n", "m.yaml: missing required field 'preWindow'",
          "'preWindow: 1440'");
    }

    @Test
    void nameIsRequiredAndChecked() {
      assertRejected("preWindow: 20\nnodes: [{name: a}]\n", "missing required field 'name'");
      assertRejected(
          "name: my funnel\npreWindow: 20\nnodes: [{name: a}]\n",
          "m.yaml: name must use only letters, digits, '_', '.' and '-'",
          "got 'my funnel'");
      assertRejected(
          "name: 42\npreWindow: 20\nnodes: [{name: a}]\n", "m.yaml: name must be text, got 42");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 minutes", "0m", "PT0S", "-PT1M", "1w", "PT"})
    void badStepIsRejected(String step) {
      assertRejected(
          "step: " + step + "\n" + TWO_NODES,
          "m.yaml: step must be a positive duration such as 30s, 1m, 1h, 1d or ISO-8601 PT1M,"
              + " got '" + step + "'");
    }

    @Test
    void stepWithoutUnitIsRejected() {
      assertRejected("step: 60\n" + TWO_NODES, "m.yaml: step must be a positive duration",
          "got 60 (give a unit)");
    }
  }

  @Nested
  class UnknownFields {
    @Test
    void typoInNodeIsReportedWithSuggestionAndAllowedFields() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - name: b\n    parnets: [a]\n",
          "m.yaml: nodes[1] 'b': unknown field 'parnets' (did you mean 'parents'?); allowed"
              + " fields here: name, parents, ar, seasonality, trend, aggregation");
    }

    @Test
    void typoAtTopLevelIsReported() {
      assertRejected(
          TWO_NODES + "prewindow: 30\n",
          "m.yaml: unknown field 'prewindow' (did you mean 'preWindow'?)",
          "allowed fields here: name, step, preWindow, model, intervals, seed, nodes, simulation");
    }

    @Test
    void typoInNestedBlockNamesItsPath() {
      assertRejected(
          TWO_NODES + "intervals:\n  bootstrap: {replicate: 100}\n",
          "m.yaml: intervals.bootstrap: unknown field 'replicate' (did you mean 'replicates'?);"
              + " allowed fields here: replicates, blockLength");
    }

    @Test
    void farOffFieldGetsNoSuggestion() {
      InputException e =
          assertRejected(TWO_NODES + "owner: team-x\n", "m.yaml: unknown field 'owner';");

      assertFalse(e.getMessage().contains("did you mean"));
    }

    @Test
    void typoInParentMappingIsReported() {
      assertRejected(
          HEAD + "nodes:\n  - name: a\n  - name: b\n    parents: [{node: a, lag: 1}]\n",
          "m.yaml: nodes[1] 'b': parents[0]: unknown field 'lag' (did you mean 'lags'?)");
    }

    @Test
    void typoInEquationIsReported() {
      assertRejected(
          TWO_NODES
              + "simulation:\n  rows: 50\n  equations:\n    a: {noise: 1}\n"
              + "    b: {parents: {a: 1}, noize: 1}\n",
          "m.yaml: simulation.equations.b: unknown field 'noize' (did you mean 'noise'?)");
    }
  }

  @Nested
  class SyntaxAndFiles {
    @Test
    void invalidYamlReportsLineAndColumn() {
      assertRejected(
          "name: m\npreWindow: 20\nnodes: [{name: a}, {name: b\n",
          "m.yaml: invalid YAML at line 4, column 1:",
          "flow mapping that starts at line 3, column 20",
          "fix the syntax");
    }

    @Test
    void unclosedQuoteReportsWhereTheFileEnds() {
      assertRejected(
          "name: 'm\npreWindow: 20\n",
          "m.yaml: invalid YAML at line 3, column 1: found unexpected end of stream"
              + " (while scanning a quoted scalar that starts at line 1, column 7)");
    }

    @Test
    void tabIndentationIsReported() {
      assertRejected(
          "name: m\npreWindow: 20\nnodes:\n\t- name: a\n",
          "m.yaml: invalid YAML at line 4, column 1:", "TAB");
    }

    @Test
    void duplicateKeyIsReportedWithItsLine() {
      assertRejected(
          TWO_NODES + "preWindow: 30\n",
          "m.yaml: line 7, column 1: key 'preWindow' appears twice in the same mapping");
    }

    @Test
    void secondDocumentIsReported() {
      assertRejected(TWO_NODES + "---\nname: other\n", "a second YAML document starts here");
    }

    @Test
    void emptyFileIsReported() {
      assertRejected("# nothing yet\n", "m.yaml: the monitor file is empty");
    }

    @Test
    void topLevelListIsReported() {
      assertRejected("- name: a\n", "m.yaml: a monitor file must be a mapping", "got a list");
    }

    @Test
    void missingFileIsReported(@TempDir Path dir) {
      Path file = dir.resolve("nope.yaml");

      InputException e = assertThrows(InputException.class, () -> MonitorLoader.load(file));

      assertTrue(e.getMessage().startsWith("monitor file " + file + " not found"), e.getMessage());
    }

    @Test
    void directoryIsReported(@TempDir Path dir) {
      InputException e = assertThrows(InputException.class, () -> MonitorLoader.load(dir));

      assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void loadPrefixesErrorsWithThePath(@TempDir Path dir) throws IOException {
      Path file = dir.resolve("funnel.yaml");
      Files.writeString(file, HEAD + "nodes:\n  - name: a\n  - name: b\n  - name: visits\n"
          + "    ar: -1\n");

      InputException e = assertThrows(InputException.class, () -> MonitorLoader.load(file));

      assertEquals(
          file + ": nodes[2] 'visits': ar must be an integer between 0 and 50, got -1",
          e.getMessage());
    }

    @Test
    void notUtf8IsReported(@TempDir Path dir) throws IOException {
      Path file = dir.resolve("latin1.yaml");
      Files.write(file, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xE9, '\n'});

      InputException e = assertThrows(InputException.class, () -> MonitorLoader.load(file));

      assertEquals(file + ": not UTF-8 text; save the monitor file as UTF-8", e.getMessage());
    }
  }

  @Nested
  class Simulation {
    private static final String GRAPH =
        HEAD
            + """
            nodes:
              - name: s
                seasonality: {period: 24, harmonics: 2}
              - name: x
                parents: [{node: s, lags: 2}]
                ar: 2
              - name: y
                parents: [x, s]
                trend: true
            simulation:
              rows: 100
              equations:
            """;

    private static final String S = "    s: {seasonal: [1, 0, 0.5, 0], noise: 1}\n";
    private static final String X = "    x: {parents: {s: [1.0, 0.5]}, ar: [0.5], noise: 1}\n";
    private static final String Y =
        "    y: {intercept: 3, parents: {x: 2, s: [0.1]}, trend: 0.01, noise: 0.5}\n";

    @Test
    void validEquationsArePaddedToFullLength() {
      SimulationSpec sim = parse(GRAPH + S + X + Y).simulation();

      assertEquals(100, sim.rows());
      assertEquals(List.of("s", "x", "y"), List.copyOf(sim.equations().keySet()));
      TrueEquation x = sim.equations().get("x");
      assertEquals(List.of(1.0, 0.5, 0.0), x.parents().get("s"));
      assertEquals(List.of(0.5, 0.0), x.ar());
      assertEquals(List.of(), x.seasonal());
      assertEquals(0.0, x.intercept());
      TrueEquation y = sim.equations().get("y");
      assertEquals(List.of(2.0), y.parents().get("x"));
      assertEquals(0.01, y.trend());
      assertEquals(3.0, y.intercept());
      assertEquals(List.of(1.0, 0.0, 0.5, 0.0), sim.equations().get("s").seasonal());
    }

    @Test
    void missingEquationIsNamed() {
      assertRejected(
          GRAPH + S + Y,
          "m.yaml: simulation.equations has no equation for node 'x': every node needs one");
    }

    @Test
    void equationForUnknownNodeIsNamed() {
      assertRejected(
          GRAPH + S + X + Y + "    z: {noise: 1}\n",
          "m.yaml: simulation.equations has an equation for 'z', which is not a node of the"
              + " graph (nodes: s, x, y)");
    }

    @Test
    void missingParentCoefficientsAreNamed() {
      assertRejected(
          GRAPH + S + X + "    y: {parents: {x: 2}, trend: 0, noise: 1}\n",
          "m.yaml: simulation.equations.y.parents has no coefficients for parent 's' of 'y'");
    }

    @Test
    void equationWithoutAnyParentsIsRejected() {
      assertRejected(
          GRAPH + S + "    x: {noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.parents has no coefficients for parent 's' of 'x'");
    }

    @Test
    void extraParentIsNamed() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: 1, y: 1}, noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.parents.y is not a parent of 'x' in the graph"
              + " (its parents: s)");
    }

    @Test
    void tooManyLagCoefficientsAreRejected() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: [1, 2, 3, 4]}, noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.parents.s has 4 coefficients but parent 's' enters"
              + " 'x' at lags 0..2: give at most 3 (lag 0 first)");
    }

    @Test
    void emptyCoefficientListIsRejected() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: []}, noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.parents.s is empty: give at least the lag-0 coefficient");
    }

    @Test
    void tooManyArCoefficientsAreRejected() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: 1}, ar: [0.1, 0.1, 0.1], noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.ar has 3 coefficients but node 'x' has ar order 2");
    }

    @Test
    void arOnNodeWithoutArIsRejected() {
      assertRejected(
          GRAPH + S + X + "    y: {parents: {x: 2, s: 1}, ar: [0.5], trend: 0, noise: 1}\n",
          "m.yaml: simulation.equations.y.ar is given but node 'y' has no own lags (ar order 0)");
    }

    @Test
    void seasonalOfWrongLengthIsRejected() {
      assertRejected(
          GRAPH + "    s: {seasonal: [1, 0], noise: 1}\n" + X + Y,
          "m.yaml: simulation.equations.s.seasonal must have 2 * harmonics = 4 coefficients",
          "got 2");
    }

    @Test
    void seasonalMissingOnSeasonalNodeIsRejected() {
      assertRejected(
          GRAPH + "    s: {noise: 1}\n" + X + Y,
          "m.yaml: simulation.equations.s.seasonal is missing: node 's' has seasonality with 2"
              + " harmonics");
    }

    @Test
    void seasonalOnNodeWithoutSeasonalityIsRejected() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: 1}, seasonal: [1, 1], noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.seasonal is given but node 'x' has no seasonality");
    }

    @Test
    void trendOnNodeWithoutTrendTermIsAGrowthTheModelDoesNotFit() {
      // x has no trend term: its trend goes into the data only (a misspecified model, for studies)
      MonitorDefinition m =
          parse(GRAPH + S + "    x: {parents: {s: 1}, trend: 0.5, noise: 1}\n" + Y);
      MonitorDefinition flat = parse(GRAPH + S + "    x: {parents: {s: 1}, noise: 1}\n" + Y);
      assertEquals(0.5, m.simulation().equations().get("x").trend());
      double grown = slope(DataSimulator.simulate(m.graph(), m.simulation(), null, 7L), "x");
      double level = slope(DataSimulator.simulate(flat.graph(), flat.simulation(), null, 7L), "x");
      assertAll(
          () -> assertEquals(0.5, grown, 0.05, "slope per row with trend 0.5"),
          () -> assertEquals(0.0, level, 0.05, "slope per row without"));
    }

    /** The least-squares slope of {@code node}'s simulated series against the row index. */
    private static double slope(DataSimulator.SimulatedData d, String node) {
      int n = d.table().rows();
      double mt = (n - 1) / 2.0;
      double my = 0;
      for (int t = 0; t < n; t++) {
        my += d.table().value(node, t) / n;
      }
      double sxy = 0;
      double sxx = 0;
      for (int t = 0; t < n; t++) {
        sxy += (t - mt) * (d.table().value(node, t) - my);
        sxx += (t - mt) * (t - mt);
      }
      return sxy / sxx;
    }

    @Test
    void negativeNoiseIsRejected() {
      assertRejected(
          GRAPH + S + X + "    y: {parents: {x: 2, s: 1}, noise: -1}\n",
          "m.yaml: simulation.equations.y.noise: noise sd must be a finite number >= 0, got -1.0");
    }

    @Test
    void missingNoiseIsRejected() {
      assertRejected(
          GRAPH + S + X + "    y: {parents: {x: 2, s: 1}}\n",
          "m.yaml: missing required field 'simulation.equations.y.noise'");
    }

    @Test
    void nonFiniteCoefficientIsNamedByIndex() {
      assertRejected(
          GRAPH + S + "    x: {parents: {s: [1, .nan]}, noise: 1}\n" + Y,
          "m.yaml: simulation.equations.x.parents.s[1] must be a finite number, got NaN");
    }

    @Test
    void tooFewRowsAreRejected() {
      assertRejected(
          (GRAPH + S + X + Y).replace("rows: 100", "rows: 1"),
          "m.yaml: simulation.rows: simulation rows must be >= 2, got 1");
    }

    @Test
    void rowsAreRequired() {
      assertRejected(
          (GRAPH + S + X + Y).replace("rows: 100", "seed: 3"),
          "m.yaml: simulation: unknown field 'seed'");
      assertRejected(
          (GRAPH + S + X + Y).replace("  rows: 100\n", ""),
          "m.yaml: missing required field 'simulation.rows'");
    }
  }
}
