package org.causalimpact.monitor.impact;

import java.util.Objects;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * Turns a table, a causal graph and an intervention into an {@link ImpactAnalysis}: fits the SCM on
 * the pre-period, simulates the counterfactual and interventional worlds, and computes both
 * interval routes. Immutable; {@link #analyze} is a pure function of its arguments and the seed.
 */
public final class ImpactAnalyzer {
  private final FitOptions fit;
  private final IntervalSettings intervals;

  private ImpactAnalyzer(FitOptions fit, IntervalSettings intervals) {
    this.fit = Objects.requireNonNull(fit);
    this.intervals = Objects.requireNonNull(intervals);
  }

  public static ImpactAnalyzer withDefaults() {
    return new ImpactAnalyzer(FitOptions.ols(), IntervalSettings.defaults());
  }

  public ImpactAnalyzer withFit(FitOptions f) {
    return new ImpactAnalyzer(f, intervals);
  }

  public ImpactAnalyzer withIntervals(IntervalSettings s) {
    return new ImpactAnalyzer(fit, s);
  }

  public FitOptions fit() {
    return fit;
  }

  public IntervalSettings intervals() {
    return intervals;
  }

  /**
   * Analyses one intervention.
   *
   * @param monitor monitor name for the report
   * @param graph the causal graph; every node must be a column of {@code table}
   * @param table the data, rows on the monitor's grid
   * @param preStart first row of the pre-period; the pre-period ends at {@code intervention.start()}
   * @param intervention what was done, from which row, and which outcomes to report
   * @throws org.causalimpact.monitor.InputException when the data cannot support the model (too
   *     few pre-period rows for the parameters, a constant or collinear column, NaN values)
   */
  public ImpactAnalysis analyze(
      String monitor,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention) {
    return Analysis.run(monitor, graph, table, preStart, intervention, fit, intervals);
  }
}
