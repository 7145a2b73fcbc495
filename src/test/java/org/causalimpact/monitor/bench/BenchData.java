package org.causalimpact.monitor.bench;

import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.impact.CausalImpactModel;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;

/**
 * The simulated workloads of the performance target (issue 2, item 6): {@code T} rows and 4 nodes,
 * in CausalImpact mode (three covariates → response) and in graph mode (chain {@code a → b → c → d}
 * with AR(1) on every node and {@code do(a := a + shift)}).
 */
final class BenchData {
  static final List<String> COVARIATES = List.of("x1", "x2", "x3");
  static final String RESPONSE = "y";

  private BenchData() {}

  /**
   * The data-generating graph of the CausalImpact-mode workload: AR(1) covariates, and a response
   * with AR(1) that reads each covariate at lags 0 and 1. Column order: {@code y, x1, x2, x3}.
   */
  static CausalGraph causalImpactTruthGraph() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition(
                RESPONSE,
                List.of(new Parent("x1", 1), new Parent("x2", 1), new Parent("x3", 1)),
                1,
                null,
                false,
                Aggregation.MEAN),
            ar1Root("x1"),
            ar1Root("x2"),
            ar1Root("x3")));
  }

  /** The model graph of the CausalImpact-mode analysis: ARDL(1, 1), 8 coefficients for y. */
  static CausalGraph causalImpactModelGraph() {
    return CausalImpactModel.graph(RESPONSE, COVARIATES, 1, null, false);
  }

  /**
   * {@code rows} rows of CausalImpact-mode data with a level shift of {@code +effect} on y from row
   * {@code start} on. Columns {@code y, x1, x2, x3}, no labels.
   */
  static TimeSeriesTable causalImpactTable(int rows, int start, double effect, long seed) {
    Map<String, TrueEquation> eq =
        Map.of(
            RESPONSE,
            new TrueEquation(
                5.0,
                Map.of(
                    "x1", List.of(0.8, 0.2),
                    "x2", List.of(-0.5, 0.1),
                    "x3", List.of(0.3, 0.0)),
                List.of(0.5),
                List.of(),
                0,
                1.0),
            "x1", rootEquation(10, 0.7),
            "x2", rootEquation(20, 0.5),
            "x3", rootEquation(-3, 0.9));
    Intervention shock =
        new Intervention("shock", Map.of(RESPONSE, new DoSpec.Shift(effect)), List.of(), start, -1);
    return DataSimulator.simulate(
            causalImpactTruthGraph(), new SimulationSpec(rows, eq), shock, seed)
        .table();
  }

  /** The CausalImpact-mode intervention: no intervened node, outcome y, from {@code start}. */
  static Intervention causalImpactIntervention(int start) {
    return new Intervention("post", Map.of(), List.of(RESPONSE), start, -1);
  }

  /** {@link #chainGraph} with every equation's error of level {@code level}. */
  static CausalGraph chainGraph(Level level) {
    return CausalGraph.of(chainGraph().nodes().stream().map(n -> n.withLevel(level)).toList());
  }

  /** {@link #causalImpactModelGraph} with the response's error of level {@code level}. */
  static CausalGraph causalImpactModelGraph(Level level) {
    return CausalGraph.of(
        causalImpactModelGraph().nodes().stream()
            .map(n -> n.name().equals(RESPONSE) ? n.withLevel(level) : n)
            .toList());
  }

  /** The graph-mode chain {@code a → b → c → d}, AR(1) on every node, parents at lag 0. */
  static CausalGraph chainGraph() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("a", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("b", List.of(new Parent("a", 0)), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("c", List.of(new Parent("b", 0)), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("d", List.of(new Parent("c", 0)), 1, null, false, Aggregation.MEAN)));
  }

  /** {@code do(a := a + shift)} from {@code start}; outcomes: all descendants (b, c, d). */
  static Intervention chainIntervention(int start, double shift) {
    return new Intervention("shift-a", Map.of("a", new DoSpec.Shift(shift)), List.of(), start, -1);
  }

  /** {@code rows} rows of the chain with {@link #chainIntervention} applied from {@code start}. */
  static TimeSeriesTable chainTable(int rows, int start, double shift, long seed) {
    Map<String, TrueEquation> eq =
        Map.of(
            "a", rootEquation(1, 0.6),
            "b", childEquation("a", 0.8, 0.4),
            "c", childEquation("b", -0.6, 0.3),
            "d", childEquation("c", 1.2, 0.5));
    return DataSimulator.simulate(
            chainGraph(), new SimulationSpec(rows, eq), chainIntervention(start, shift), seed)
        .table();
  }

  private static NodeDefinition ar1Root(String name) {
    return new NodeDefinition(name, List.of(), 1, null, false, Aggregation.MEAN);
  }

  private static TrueEquation rootEquation(double mean, double phi) {
    return new TrueEquation(mean * (1 - phi), Map.of(), List.of(phi), List.of(), 0, 1.0);
  }

  private static TrueEquation childEquation(String parent, double beta, double phi) {
    return new TrueEquation(2.0, Map.of(parent, List.of(beta)), List.of(phi), List.of(), 0, 1.0);
  }
}
