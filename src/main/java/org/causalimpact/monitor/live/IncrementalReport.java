package org.causalimpact.monitor.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.causalimpact.monitor.wire.AnalysisReport;

/**
 * An intervention's analysis report kept up to date by an incremental analysis of its own: each
 * new report advances it through the rows closed since the last one and takes the summary from it
 * ({@link StreamingAnalysis#summary}), so a report costs the new rows, not the whole post-period,
 * and equals the batch analysis of the same rows (stream = batch). The analysis is set up again
 * (the whole post-period once) when it cannot be advanced: the first report, an end that came
 * after rows it already advanced, rows that left the store, more rows than it was set up for.
 * Where the summary needs the batch analysis (the permutation test's confidence set), the batch
 * analysis of the rows gives it. Not thread-safe: its owner computes one report at a time.
 */
final class IncrementalReport {
  /** Post-period rows a new analysis is set up for at least; it doubles as they come. */
  private static final int MIN_HORIZON = 1_024;

  private final String firstLabel;
  private final long startStep;
  /** The end the analysis has lifted the do-specs at, or {@code null}. */
  private Long endStep;
  private final StreamingAnalysis analysis;
  private final List<List<AnalysisReport.Step>> series = new ArrayList<>();

  private IncrementalReport(
      String firstLabel, long startStep, Long endStep, StreamingAnalysis analysis) {
    this.firstLabel = firstLabel;
    this.startStep = startStep;
    this.endStep = endStep;
    this.analysis = analysis;
    for (int o = 0; o < analysis.outcomes().size(); o++) {
      series.add(new ArrayList<>());
    }
  }

  /**
   * A report and the incremental analysis to advance next time.
   *
   * @param next what to keep for the next report of the intervention
   */
  record Result(IncrementalReport next, AnalysisReport report) {}

  /**
   * The report of the slice's rows, by {@code kept} advanced where it can be, else by a new
   * incremental analysis.
   *
   * @param kept the previous report's analysis of the intervention, or {@code null}
   */
  static Result report(
      IncrementalReport kept, MonitorDefinition def, TrackedIntervention iv, StoredRows.Slice slice) {
    TimeSeriesTable t = slice.table();
    int post = t.rows() - slice.startRow();
    IncrementalReport r = kept != null && kept.fits(iv, slice) ? kept : null;
    if (r == null) {
      int horizon = Math.max(MIN_HORIZON, 2 * post);
      r = new IncrementalReport(
          t.label(0), iv.startStep, iv.endStep, StoredRows.streaming(def, iv, slice, horizon));
    }
    if (iv.endStep != null) {
      int end = slice.startRow() + (int) (iv.endStep - iv.startStep);
      if (r.analysis.actionEnd() != end) {
        r.analysis.endActionsAt(end);
      }
      r.endStep = iv.endStep;
    }
    for (int row = slice.startRow() + r.analysis.steps(); row < t.rows(); row++) {
      List<StreamingAnalysis.OutcomeStep> steps = r.analysis.advance(StoredRows.values(t, row),
          t.label(row));
      for (int o = 0; o < steps.size(); o++) {
        r.series.get(o).add(AnalysisReport.Step.of(steps.get(o).impact()));
      }
    }
    ImpactAnalysis summary = r.analysis.summary();
    AnalysisReport report =
        summary == null
            ? AnalysisReport.of(StoredRows.analyze(def, iv, slice), t)
            : AnalysisReport.of(summary, t).withSeries(r.series);
    return new Result(r, report);
  }

  /**
   * Whether this analysis can be advanced to the slice: the same start and first row, at most the
   * rows it has room for, and no end that falls on rows it already advanced with the do-specs on.
   */
  private boolean fits(TrackedIntervention iv, StoredRows.Slice slice) {
    TimeSeriesTable t = slice.table();
    int post = t.rows() - slice.startRow();
    boolean sameEnd =
        Objects.equals(endStep, iv.endStep)
            || (endStep == null && iv.endStep != null
                && iv.endStep - iv.startStep >= analysis.steps());
    return iv.startStep == startStep
        && firstLabel.equals(t.label(0))
        && slice.startRow() == analysis.startRow()
        && post >= analysis.steps()
        && post <= analysis.maxHorizon()
        && sameEnd;
  }
}
