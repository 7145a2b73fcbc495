package org.causalimpact.monitor.report;

import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * The written report of a placebo outcome: one the intervention's do() cannot reach ({@link
 * ImpactAnalysis#isPlacebo}). Its actual-minus-predicted is the model's prediction error, so the
 * paragraph calls it the model's error, never an effect, never significant, and gives no
 * probability of a causal effect; it says whether each route's interval of the average error
 * includes zero, the same decision the table's intervals show. Thread-safe; no state.
 */
final class PlaceboReport {
  private PlaceboReport() {}

  static String paragraph(ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table) {
    String level = Numbers.level(a.level());
    String y = o.node();
    Summary s = o.summary();
    PeriodSummary avg = s.average();
    PeriodSummary cum = s.cumulative();
    StringBuilder sb = new StringBuilder();
    sb.append(y)
        .append(" is a placebo check: the intervention's do() cannot reach it (see the notes), so")
        .append(" the difference between what was observed and what the model predicts is the")
        .append(" model's error, not an effect of the intervention. ")
        .append(WrittenReport.averages(a, o, table, " and the model predicts "))
        .append("): an error of ")
        .append(Numbers.signed(avg.effect().mean()))
        .append(" per step (")
        .append(WrittenReport.intervals(avg.effect(), false))
        .append("), ")
        .append(Numbers.signed(cum.effect().mean()))
        .append(" summed (")
        .append(WrittenReport.intervals(cum.effect(), false))
        .append("), ")
        .append(Numbers.signedPercent(avg.relative().mean()))
        .append(" of the prediction.\n");
    boolean bootstrapOff = s.significantBootstrap();
    boolean conformalOff = s.significantConformal();
    sb.append("The ")
        .append(level)
        .append(" interval of the average error ")
        .append(bootstrapOff ? "excludes" : "includes")
        .append(" zero by the bootstrap route (two-sided ")
        .append(Numbers.pClause(s.pValueBootstrap()))
        .append(") and ")
        .append(conformalOff ? "excludes" : "includes")
        .append(" zero by the conformal route (")
        .append(
            s.pValueConformal() == null
                ? "no conformal p-value"
                : s.conformalTest().label() + " " + Numbers.pClause(s.pValueConformal()))
        .append("). ");
    if (bootstrapOff || conformalOff) {
      sb.append("The model's predictions of ")
          .append(y)
          .append(" are off over the post-period: it misfits, or something other than the")
          .append(" intervention changed; its estimates for the other outcomes deserve less trust.");
    } else {
      sb.append("The model predicts ")
          .append(y)
          .append(" over the post-period within its intervals, as it should where nothing acted.");
    }
    return sb.append('\n').toString();
  }
}
