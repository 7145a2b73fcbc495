package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.junit.jupiter.api.Test;

/**
 * Stream = batch: after {@code k} rows, every field of every outcome's step of {@link
 * StreamingAnalysis} and the two summary p-values equal those of {@link ImpactAnalyzer#analyze} on
 * the table through that row, at every step of a 30-row post-period. Tolerance {@code 1e-9 max(1,
 * |x|)}; the steps are expected bit for bit equal (same operations in the same order), the
 * permutation p-value to rounding of its normal-equation refit. Data simulated with fixed seeds
 * (given per case); each case prints how many numbers were compared and how many differ at all.
 */
class StreamingAnalysisTest {
  private static final int POST = 30;
  private static final double TOLERANCE = 1e-9;

  /** {@code config/monitors/validation.yaml}: x → y; do(x := x + 2), both nodes as outcomes. */
  @Test
  void validationMonitorWithBothNodesAsOutcomes() {
    MonitorDefinition def = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    int t0 = 390;
    Intervention iv =
        new Intervention("push", Map.of("x", new DoSpec.Shift(2.0)), List.of("x", "y"), t0, -1);
    TimeSeriesTable table =
        labelled(DataSimulator.simulate(def.graph(), def.simulation(), iv, 7L).table());
    Case c = new Case("validation", def.graph(), table, 0, iv, def.fit(), def.intervals());
    Tally t = c.run(POST + 10, -1, 0);
    assertTrue(t.values > 0);
  }

  /**
   * Chain a → b → c with seasonality on b and a trend on c, ridge 0.5, do(a := a + 1.5), outcomes b
   * and c; the action end (row t0 + 15) becomes known after 12 rows. A 70-row pre-period, so that
   * the conformal bounds become unbounded within the post-period.
   */
  @Test
  void chainWithActionEndInTheMiddleAndRidge() {
    int t0 = 80;
    Intervention iv =
        new Intervention("shift-a", Map.of("a", new DoSpec.Shift(1.5)), List.of(), t0, -1);
    TimeSeriesTable table = chainData(t0 + POST, iv, 11L);
    Case c =
        new Case(
            "chain ridge", chain(), table, 10, iv, new FitOptions(0.5), IntervalSettings.defaults());
    c.run(POST, t0 + 15, 12);
  }

  /**
   * The chain with a stochastic level on every equation (a: auto, b: local, c: local linear
   * trend), on data whose b drifts (random-walk level, sd 0.1 per step) and whose c has AR(0.4)
   * noise; do(a := a + 1.5) whose end (row t0 + 8) is learned after 14 rows, so the
   * interventional paths and the errors' states are replayed.
   */
  @Test
  void levelModelsWithDriftAndALateActionEnd() {
    int t0 = 150;
    CausalGraph graph = levelChain();
    Intervention iv =
        new Intervention("shift-a", Map.of("a", new DoSpec.Shift(1.5)), List.of(), t0, -1);
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("a", new TrueEquation(4, Map.of(), List.of(0.6), List.of(), 0, 1.0));
    eq.put(
        "b",
        new TrueEquation(
            2, Map.of("a", List.of(0.8, 0.3)), List.of(0.4), List.of(1.0, -0.5), 0, 1, 0.1, 0));
    eq.put(
        "c",
        new TrueEquation(
            1, Map.of("b", List.of(-0.6)), List.of(0.3), List.of(), 0.02, 1, 0, 0.4));
    TimeSeriesTable table =
        labelled(
            DataSimulator.simulate(graph, new SimulationSpec(t0 + POST, eq), iv, 31L).table());
    Case c =
        new Case(
            "levels",
            graph,
            table,
            0,
            iv,
            FitOptions.ols(),
            IntervalSettings.defaults().withReplicates(300));
    Tally t = c.run(POST, t0 + 8, 14);
    assertTrue(t.values > 0);
  }

  private static CausalGraph levelChain() {
    List<NodeDefinition> nodes = chain().nodes();
    return CausalGraph.of(
        List.of(
            nodes.get(0).withLevel(Level.AUTO),
            nodes.get(1).withLevel(Level.LOCAL),
            nodes.get(2).withLevel(Level.TREND)));
  }

  /**
   * The chain with do(a := observed a), whose end (row t0 + 10) is learned only after 20 rows: the
   * interventional paths are replayed, and the later steps equal the batch with the end known.
   */
  @Test
  void actionEndLearnedLateIsReplayed() {
    int t0 = 120;
    Intervention shock =
        new Intervention("shift-a", Map.of("a", new DoSpec.Shift(1.0)), List.of(), t0, -1);
    TimeSeriesTable table = chainData(t0 + POST, shock, 12L);
    Intervention iv =
        new Intervention("observed-a", Map.of("a", new DoSpec.Observed()), List.of(), t0, -1);
    Case c =
        new Case(
            "late end",
            chain(),
            table,
            0,
            iv,
            FitOptions.ols(),
            IntervalSettings.defaults().withSeed(5L));
    c.run(POST, t0 + 10, 20);
  }

  /**
   * CausalImpact mode (no do-action): y1 ← x1 and y2 ← x1, x2, both outcomes, a 30-row pre-period,
   * so that the first steps have too few calibration scores and their conformal p-value is the
   * permutation test's.
   */
  @Test
  void causalImpactModeWithPermutationPValue() {
    for (double ridge : new double[] {0.0, 0.3}) {
      int t0 = 30;
      TimeSeriesTable table = causalImpactData(t0 + POST, t0, 13L);
      Intervention iv = new Intervention("campaign", Map.of(), List.of("y1", "y2"), t0, -1);
      Case c =
          new Case(
              "causal impact, ridge " + ridge,
              causalImpactGraph(),
              table,
              0,
              iv,
              new FitOptions(ridge),
              IntervalSettings.defaults().withReplicates(400));
      Tally t = c.run(POST, -1, 0);
      assertTrue(t.permutationPValues > 0, "the permutation test was never used");
    }
  }

  /**
   * 30 control series on 120 pre rows, each mattering a little: the controls are selected and the
   * model with all of them shrunk wins ({@link ManyControlsTest}); its penalty carries into the
   * calibration's refits and the bootstrap's draws alike in stream and batch.
   */
  @Test
  void manyControlsAllShrunk() {
    int t0 = 120;
    TimeSeriesTable table = labelled(ManyControlsTest.data(3L, t0, 12, true));
    CausalGraph graph =
        CausalImpactModel.graph(
            "y", table.columns().subList(1, table.columns().size()), 0, 0, null, false,
            Level.AUTO);
    Intervention iv = new Intervention("campaign", Map.of(), List.of("y"), t0, -1);
    Case c =
        new Case(
            "many controls", graph, table, 0, iv, FitOptions.ols(),
            IntervalSettings.defaults().withReplicates(300));
    Tally t = c.run(12, -1, 0);
    assertTrue(t.values > 0);
  }

  /**
   * 150 post-period rows, more than the observed values and the permutation design have room for
   * at first (they grow twice), past the last calibrated horizon: CausalImpact mode with a 30-row
   * pre-period (the permutation p-value in the first steps), and the chain with a 200-row
   * pre-period and the largest horizon 150 (the observed values grow to exactly that).
   */
  @Test
  void longPostPeriodGrowsTheArrays() {
    int post = 150;
    int t0 = 30;
    Intervention campaign = new Intervention("campaign", Map.of(), List.of("y1", "y2"), t0, -1);
    Case ci =
        new Case(
            "causal impact, long",
            causalImpactGraph(),
            causalImpactData(t0 + post, t0, 14L),
            0,
            campaign,
            FitOptions.ols(),
            IntervalSettings.defaults().withReplicates(200));
    assertTrue(ci.run(10_000, -1, 0).permutationPValues > 0);
    int start = 200;
    Intervention shift =
        new Intervention("shift-a", Map.of("a", new DoSpec.Shift(1.5)), List.of(), start, -1);
    Case chain =
        new Case(
            "chain, long",
            chain(),
            chainData(start + post, shift, 15L),
            0,
            shift,
            FitOptions.ols(),
            IntervalSettings.defaults().withReplicates(200));
    chain.run(post, -1, 0);
  }

  @Test
  void rejectsWhatTheBatchRejectsAndRowsBeyondTheHorizon() {
    int t0 = 80;
    Intervention iv =
        new Intervention("shift-a", Map.of("a", new DoSpec.Shift(1.5)), List.of(), t0, -1);
    TimeSeriesTable table = chainData(t0 + 2, iv, 11L);
    StreamingAnalysis s =
        StreamingAnalysis.start(
            "m", chain(), table, 0, iv, FitOptions.ols(), IntervalSettings.defaults(), 1);
    double[] nan = {1, Double.NaN, 2};
    assertThrows(InputException.class, () -> s.advance(nan, null));
    assertEquals(0, s.steps());
    assertThrows(IllegalArgumentException.class, () -> s.endActionsAt(t0));
    s.advance(row(chain(), table, t0), null);
    assertThrows(IllegalStateException.class, () -> s.advance(row(chain(), table, t0 + 1), null));
    assertTrue(s.retainedBytes() > 1000L * 8);
    assertThrows(
        InputException.class,
        () ->
            StreamingAnalysis.start(
                "m",
                chain(),
                table.slice(0, 50),
                0,
                iv,
                FitOptions.ols(),
                IntervalSettings.defaults(),
                5));
  }

  /** One comparison: the stream's steps against the batch at every row. */
  private record Case(
      String name,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit,
      IntervalSettings intervals) {

    /**
     * @param maxHorizon the largest horizon given to the setup (at least the table's post rows)
     * @param actionEnd the action end row, or -1 for none
     * @param learnedAfter rows advanced before the action end is set
     */
    Tally run(int maxHorizon, int actionEnd, int learnedAfter) {
      int t0 = intervention.start();
      StreamingAnalysis stream =
          StreamingAnalysis.start(
              "m", graph, table, preStart, intervention, fit, intervals, maxHorizon);
      ImpactAnalyzer batch = ImpactAnalyzer.withDefaults().withFit(fit).withIntervals(intervals);
      Tally tally = new Tally(name);
      for (int k = 1; t0 + k <= table.rows(); k++) {
        if (actionEnd != -1 && stream.steps() == learnedAfter) {
          stream.endActionsAt(actionEnd);
        }
        int t = t0 + k - 1;
        List<StreamingAnalysis.OutcomeStep> steps =
            stream.advance(row(graph, table, t), table.label(t));
        boolean known = actionEnd != -1 && k > learnedAfter;
        int end = known && actionEnd < t0 + k ? actionEnd : -1;
        Intervention through =
            new Intervention(
                intervention.id(), intervention.actions(), intervention.outcomes(), t0, -1, end);
        ImpactAnalysis expected =
            batch.analyze("m", graph, table.slice(0, t0 + k), preStart, through);
        assertEquals(expected.outcomes().size(), steps.size());
        tally.summary(name + ", step " + k, expected, stream.summary());
        for (int o = 0; o < steps.size(); o++) {
          OutcomeImpact e = expected.outcomes().get(o);
          StreamingAnalysis.OutcomeStep a = steps.get(o);
          String where = name + ", " + e.node() + ", step " + k;
          assertEquals(e.node(), a.node(), where);
          tally.step(where, e.series().get(k - 1), a.impact());
          Summary summary = e.summary();
          tally.number(where + " pBootstrap", summary.pValueBootstrap(), a.pValueBootstrap());
          tally.number(where + " pConformal", summary.pValueConformal(), a.pValueConformal());
          if (a.pValueConformal() != null && !a.impact().cumulative().conformal().isBounded()) {
            tally.permutationPValues++;
          }
        }
      }
      System.out.println(tally);
      assertTrue(tally.summariesEqual > 0, name + ": no stream summary was compared");
      return tally;
    }
  }

  /** Compares numbers and counts them. */
  private static final class Tally {
    private final String name;
    int values;
    int inexact;
    int permutationPValues;
    int summariesEqual;
    int summariesAbsent;
    double largest;

    Tally(String name) {
      this.name = name;
    }

    /**
     * The stream's summary equals the batch's bit for bit, or is absent exactly where the batch
     * summarises an outcome by the permutation test.
     */
    void summary(String where, ImpactAnalysis e, ImpactAnalysis a) {
      if (a == null) {
        assertTrue(
            e.outcomes().stream()
                .anyMatch(o -> o.summary().conformalTest() == ConformalTest.PERMUTATION),
            where + ": no stream summary, but the batch's is not the permutation test's");
        summariesAbsent++;
        return;
      }
      assertEquals(e.preStart(), a.preStart(), where);
      assertEquals(e.postStart(), a.postStart(), where);
      assertEquals(e.postEnd(), a.postEnd(), where);
      assertEquals(e.level(), a.level(), where);
      assertEquals(e.equations(), a.equations(), where + " equations");
      assertEquals(e.effects(), a.effects(), where + " effects");
      assertEquals(e.notes(), a.notes(), where + " notes");
      for (int o = 0; o < e.outcomes().size(); o++) {
        assertEquals(e.outcomes().get(o).node(), a.outcomes().get(o).node(), where);
        assertEquals(
            e.outcomes().get(o).summary(), a.outcomes().get(o).summary(), where + " summary");
        assertTrue(a.outcomes().get(o).series().isEmpty(), where + " series");
      }
      summariesEqual++;
    }

    void step(String where, StepImpact e, StepImpact a) {
      assertEquals(e.row(), a.row(), where);
      assertEquals(e.label(), a.label(), where);
      assertEquals(e.step(), a.step(), where);
      number(where + " actual", e.actual(), a.actual());
      estimate(where + " counterfactual", e.counterfactual(), a.counterfactual());
      estimate(where + " expected", e.expected(), a.expected());
      estimate(where + " effect", e.effect(), a.effect());
      estimate(where + " expectedEffect", e.expectedEffect(), a.expectedEffect());
      estimate(where + " cumulative", e.cumulative(), a.cumulative());
      number(where + " relative", e.relative(), a.relative());
    }

    private void estimate(String where, Estimate e, Estimate a) {
      if (!bothPresent(where, e, a)) {
        return;
      }
      number(where + " mean", e.mean(), a.mean());
      interval(where + " conformal", e.conformal(), a.conformal());
      interval(where + " bootstrap", e.bootstrap(), a.bootstrap());
    }

    private void interval(String where, Interval e, Interval a) {
      if (!bothPresent(where, e, a)) {
        return;
      }
      number(where + " lower", e.lower(), a.lower());
      number(where + " upper", e.upper(), a.upper());
    }

    void number(String where, Double e, Double a) {
      if (!bothPresent(where, e, a)) {
        return;
      }
      values++;
      if (e.isNaN() || a.isNaN()) {
        assertEquals(e, a, where);
        return;
      }
      double diff = Math.abs(e - a);
      if (Double.doubleToLongBits(e) != Double.doubleToLongBits(a)) {
        inexact++;
        largest = Math.max(largest, diff / Math.max(1, Math.abs(e)));
      }
      assertTrue(
          diff <= TOLERANCE * Math.max(1, Math.abs(e)),
          () -> where + ": batch " + e + ", stream " + a);
    }

    /** Whether both are present; if not, asserts that both are absent. */
    private static boolean bothPresent(String where, Object e, Object a) {
      if (e == null || a == null) {
        assertEquals(e, a, where);
        return false;
      }
      return true;
    }

    @Override
    public String toString() {
      return String.format(
          java.util.Locale.ROOT,
          "%s: %d numbers compared, %d not bit-identical (largest relative difference %.3g),"
              + " %d permutation p-values; summaries: %d equal, %d left to the batch",
          name,
          values,
          inexact,
          largest,
          permutationPValues,
          summariesEqual,
          summariesAbsent);
    }
  }

  private static double[] row(CausalGraph graph, TimeSeriesTable table, int t) {
    double[] v = new double[graph.size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = table.value(graph.nodeNames().get(j), t);
    }
    return v;
  }

  /** The table with hourly ISO-instant labels, as the stream labels its rows. */
  private static TimeSeriesTable labelled(TimeSeriesTable t) {
    List<String> labels = new ArrayList<>();
    for (int r = 0; r < t.rows(); r++) {
      labels.add(Instant.ofEpochSecond(1_800_000_000L + 3600L * r).toString());
    }
    double[][] v = new double[t.columns().size()][];
    for (int c = 0; c < v.length; c++) {
      v[c] = t.column(t.columns().get(c));
    }
    return new TimeSeriesTable(t.columns(), v, labels);
  }

  private static CausalGraph chain() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("a", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "b",
                List.of(new Parent("a", 1)),
                1,
                new Seasonality(24, 1),
                false,
                Aggregation.MEAN),
            new NodeDefinition("c", List.of(new Parent("b", 0)), 1, null, true, Aggregation.MEAN)));
  }

  private static TimeSeriesTable chainData(int rows, Intervention iv, long seed) {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("a", new TrueEquation(4, Map.of(), List.of(0.6), List.of(), 0, 1.0));
    eq.put(
        "b",
        new TrueEquation(2, Map.of("a", List.of(0.8, 0.3)), List.of(0.4), List.of(1.0, -0.5), 0, 1));
    eq.put("c", new TrueEquation(1, Map.of("b", List.of(-0.6)), List.of(0.3), List.of(), 0.02, 1));
    return labelled(
        DataSimulator.simulate(chain(), new SimulationSpec(rows, eq), iv, seed).table());
  }

  private static CausalGraph causalImpactGraph() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("x1", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("x2", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("y1", List.of(new Parent("x1", 1)), 1, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "y2",
                List.of(new Parent("x1", 0), new Parent("x2", 0)),
                1,
                null,
                false,
                Aggregation.MEAN)));
  }

  /** x1, x2 AR(1); y1 and y2 shifted by +3 from {@code start}. */
  private static TimeSeriesTable causalImpactData(int rows, int start, long seed) {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("x1", new TrueEquation(3, Map.of(), List.of(0.7), List.of(), 0, 1));
    eq.put("x2", new TrueEquation(10, Map.of(), List.of(0.5), List.of(), 0, 1));
    eq.put(
        "y1", new TrueEquation(5, Map.of("x1", List.of(1.2, 0.4)), List.of(0.5), List.of(), 0, 1));
    Map<String, List<Double>> y2Parents = Map.of("x1", List.of(0.5), "x2", List.of(-0.7));
    eq.put("y2", new TrueEquation(1, y2Parents, List.of(0.2), List.of(), 0, 1));
    Intervention shock =
        new Intervention(
            "shock",
            Map.of("y1", new DoSpec.Shift(3.0), "y2", new DoSpec.Shift(3.0)),
            List.of(),
            start,
            -1);
    SimulationSpec spec = new SimulationSpec(rows, eq);
    return labelled(DataSimulator.simulate(causalImpactGraph(), spec, shock, seed).table());
  }
}
