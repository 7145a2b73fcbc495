package org.causalimpact.monitor.impact;

import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

final class Analysis {
  private Analysis() {}

  static ImpactAnalysis run(
      String monitor,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit,
      IntervalSettings intervals) {
    throw new UnsupportedOperationException("engine under construction");
  }
}
