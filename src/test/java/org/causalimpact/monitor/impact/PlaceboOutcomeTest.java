package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.wire.AnalysisReport;
import org.junit.jupiter.api.Test;

/**
 * Issue 20: an outcome that do() cannot reach gets a note. The true SCM, all edges at lag 0:
 *
 * <pre>
 *   S = 10 + e_S,          sd 1      (the season both branches share)
 *   Z = 2 S + e_Z,         sd 1      (intervened: do(Z := Z + 5) from row 300 of 400)
 *   Y = 1.5 Z + e_Y,       sd 1      (a descendant of Z: effect 7.5 per step)
 *   P = 3 S + e_P,         sd 1      (a sibling of Z: do() cannot reach it)
 * </pre>
 *
 * <p>The note depends on the graph alone, so these assertions are exact; seed 2020.
 */
class PlaceboOutcomeTest {
  private static final int ROWS = 400;
  private static final int T0 = 300;
  private static final long SEED = 2020L;

  private static NodeDefinition node(String name, String... parents) {
    List<Parent> ps = Arrays.stream(parents).map(p -> new Parent(p, 0)).toList();
    return new NodeDefinition(name, ps, 0, null, false, Aggregation.MEAN);
  }

  private static CausalGraph graph() {
    return CausalGraph.of(List.of(node("S"), node("Z", "S"), node("Y", "Z"), node("P", "S")));
  }

  private static Intervention shiftZ(List<String> outcomes) {
    return new Intervention("shift-z", Map.of("Z", new DoSpec.Shift(5)), outcomes, T0, -1);
  }

  private static TimeSeriesTable table() {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("S", new TrueEquation(10, Map.of(), List.of(), List.of(), 0, 1));
    eq.put("Z", new TrueEquation(0, Map.of("S", List.of(2.0)), List.of(), List.of(), 0, 1));
    eq.put("Y", new TrueEquation(0, Map.of("Z", List.of(1.5)), List.of(), List.of(), 0, 1));
    eq.put("P", new TrueEquation(0, Map.of("S", List.of(3.0)), List.of(), List.of(), 0, 1));
    return DataSimulator.simulate(
            graph(), new SimulationSpec(ROWS, eq), shiftZ(List.of()), SEED)
        .table();
  }

  private static ImpactAnalyzer analyzer() {
    return ImpactAnalyzer.withDefaults()
        .withIntervals(IntervalSettings.defaults().withReplicates(200).withSeed(SEED));
  }

  private static List<String> placeboNotes(ImpactAnalysis a) {
    return a.notes().stream().filter(n -> n.contains("not a descendant")).toList();
  }

  @Test
  void anOutcomeOutsideTheInterventionsDescendantsIsCalledAPlaceboCheck() {
    ImpactAnalysis a = analyzer().analyze("m", graph(), table(), 0, shiftZ(List.of("Y", "P")));
    assertEquals(
        List.of(
            "P: not a descendant of the intervened node Z, so do() cannot change it; its effect"
                + " estimate measures the model's error (a placebo check), and a significant one"
                + " means the model misfits, not that the intervention acted"),
        placeboNotes(a));
    // the placebo's actual and counterfactual are close: the model is right, there is no effect
    double placebo = a.outcomes().get(1).summary().average().effect().mean();
    assertTrue(Math.abs(placebo) < 0.5, "P's average error " + placebo);
    double effect = a.outcomes().get(0).summary().average().effect().mean();
    assertTrue(Math.abs(effect - 7.5) < 0.5, "Y's average effect " + effect);
    // the JSON marks the placebo per outcome, for the live page and other consumers
    List<AnalysisReport.Outcome> json = AnalysisReport.of(a, null).outcomes();
    assertEquals(List.of("Y", "P"), json.stream().map(AnalysisReport.Outcome::node).toList());
    assertEquals(
        List.of(false, true), json.stream().map(AnalysisReport.Outcome::placebo).toList());
    assertTrue(
        AnalysisReport.render(a, null).contains("\"placebo\" : true"), "the field is written");
  }

  @Test
  void descendantsAndTheIntervenedNodeItselfGetNoNote() {
    ImpactAnalysis a = analyzer().analyze("m", graph(), table(), 0, shiftZ(List.of("Z", "Y")));
    assertEquals(List.of(), placeboNotes(a), a.notes().toString());
    ImpactAnalysis implied = analyzer().analyze("m", graph(), table(), 0, shiftZ(List.of()));
    assertEquals(List.of("Y"), implied.outcomes().stream().map(OutcomeImpact::node).toList());
    assertEquals(List.of(), placeboNotes(implied), implied.notes().toString());
  }

  @Test
  void causalImpactModeSetsNoNodeSoItsOutcomesAreNoPlacebos() {
    Intervention observed = new Intervention("campaign", Map.of(), List.of("P"), T0, -1);
    ImpactAnalysis a = analyzer().analyze("m", graph(), table(), 0, observed);
    assertEquals(List.of(), placeboNotes(a), a.notes().toString());
  }

  @Test
  void theStreamsSummaryCarriesTheSameNote() {
    TimeSeriesTable table = table();
    Intervention iv = shiftZ(List.of("Y", "P"));
    ImpactAnalysis batch = analyzer().analyze("m", graph(), table, 0, iv);
    StreamingAnalysis stream =
        StreamingAnalysis.start(
            "m", graph(), table, 0, iv, FitOptions.ols(),
            IntervalSettings.defaults().withReplicates(200).withSeed(SEED), ROWS - T0);
    for (int t = T0; t < ROWS; t++) {
      double[] row = new double[graph().size()];
      for (int j = 0; j < row.length; j++) {
        row[j] = table.value(graph().nodeNames().get(j), t);
      }
      stream.advance(row, null);
    }
    assertEquals(batch.notes(), stream.summary().notes());
    assertEquals(1, placeboNotes(stream.summary()).size());
  }
}
