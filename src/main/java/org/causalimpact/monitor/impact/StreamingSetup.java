package org.causalimpact.monitor.impact;

import java.util.Objects;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * The arguments of {@link StreamingAnalysis#start}, checked, and what it derives from them before
 * the first post-period row: the pre-period fit, the observed values with room for the first
 * post-period rows, and the simulated worlds.
 */
final class StreamingSetup {
  /** Post-period rows the observed values have room for before they first grow. */
  static final int FIRST_POST_CAPACITY = 64;

  final String monitor;
  final CausalGraph graph;
  final Intervention intervention;
  final FitOptions fit;
  final IntervalSettings intervals;
  final int preStart;
  /** The largest horizon, capped by the intervention's end when it is known. */
  final int maxHorizon;

  final Analysis.Prepared prepared;
  /** {@code [node][row]}: rows before the start filled, room for the first post-period rows. */
  final double[][] observed;

  final WorldSimulator worlds;

  /** See {@link StreamingAnalysis#start} for the arguments and what they must satisfy. */
  StreamingSetup(
      String monitor,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit,
      IntervalSettings intervals,
      int maxHorizon) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.graph = Objects.requireNonNull(graph, "graph");
    this.intervention = Objects.requireNonNull(intervention, "intervention");
    this.fit = Objects.requireNonNull(fit, "fit");
    this.intervals = Objects.requireNonNull(intervals, "intervals");
    this.preStart = preStart;
    if (maxHorizon < 1) {
      throw new IllegalArgumentException("the largest horizon must be >= 1, got " + maxHorizon);
    }
    int t0 = intervention.start();
    this.maxHorizon =
        intervention.end() == -1 ? maxHorizon : Math.min(maxHorizon, intervention.end() - t0);
    Analysis.requirePrePeriod(preStart, t0);
    if (table.rows() < t0) {
      throw new InputException(
          "the intervention starts at row "
              + t0
              + " but the data has only "
              + table.rows()
              + " rows: the setup needs every row before the start");
    }
    TimeSeriesTable before = table.rows() == t0 ? table : table.slice(0, t0);
    this.prepared = Analysis.prepare(graph, before, preStart, intervention, fit);
    this.observed = new double[graph.size()][t0 + Math.min(this.maxHorizon, FIRST_POST_CAPACITY)];
    for (int j = 0; j < graph.size(); j++) {
      System.arraycopy(prepared.observed()[j], 0, observed[j], 0, t0);
    }
    this.worlds =
        Analysis.worlds(graph, prepared.model(), observed, prepared.simulatedNames(), intervention);
  }

  /**
   * Checks one post-period row given to {@link StreamingAnalysis#advance}.
   *
   * @throws InputException if a value is not finite (the batch analysis rejects such a table)
   * @throws IllegalArgumentException if there is not one value per node
   */
  static void checkRow(CausalGraph graph, double[] values, int t) {
    if (values.length != graph.size()) {
      throw new IllegalArgumentException(
          values.length + " values for a graph of " + graph.size() + " nodes");
    }
    for (int j = 0; j < values.length; j++) {
      if (!Double.isFinite(values[j])) {
        throw new InputException(
            "column '" + graph.nodeNames().get(j) + "' has a non-finite value (" + values[j]
                + ") at row " + t);
      }
    }
  }
}
