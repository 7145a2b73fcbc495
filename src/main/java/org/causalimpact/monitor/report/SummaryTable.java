package org.causalimpact.monitor.report;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.wire.AnalysisReport;

/**
 * The CausalImpact-style summary table (R's {@code summary(impact)}), one block per outcome, with
 * the conformal and the bootstrap interval under each estimate:
 *
 * <pre>
 *                             Average                Cumulative
 * Actual                      117                    3511
 * Prediction (s.d.)           107 (0.37)             3196 (11)
 *   conformal 95% CI          [106, 107]             [3174, 3217]
 *   bootstrap 95% CI          [106, 107]             [3175, 3218]
 * Absolute effect (s.d.)      11 (0.37)              316 (11)
 * ...
 * </pre>
 *
 * "Prediction" is the counterfactual, as in CausalImpact. The relative s.d. is {@code effectSd /
 * |predicted mean|}. An unbounded interval side prints as {@code -inf}/{@code +inf} with a footnote.
 * Thread-safe; no state.
 */
public final class SummaryTable {
  static final String UNBOUNDED_NOTE =
      "-inf/+inf: unbounded: too few calibration points for this level";
  private static final String MISSING_NOTE = "n/a: this route gives no interval here";
  static final String PLACEBO_NOTE =
      "Placebo outcome: the intervention's do() cannot reach Y, so its \"effect\" rows are the"
          + " model's prediction error and its p-values test whether that error is zero";

  private SummaryTable() {}

  /**
   * Renders every outcome of {@code a}.
   *
   * @param table the analysed table, for period labels; may be {@code null}
   */
  public static String render(ImpactAnalysis a, TimeSeriesTable table) {
    StringBuilder sb = new StringBuilder();
    sb.append(
            setsNoNode(a)
                ? "Causal impact on " + a.monitor() + ": the post-period against the counterfactual"
                    + " the model predicts from the pre-period"
                : "Monitor " + a.monitor() + ", intervention " + a.intervention())
        .append('\n');
    for (OutcomeImpact o : a.outcomes()) {
      sb.append('\n').append(render(a, o, table));
    }
    return sb.toString();
  }

  /**
   * Whether the analysis sets no node (CausalImpact mode: the treatment is outside the model), seen
   * from the reports: no outcome has an expected effect, which only a do() on a node gives. Its
   * "intervention" is then just the post-period, so headings name the data instead.
   */
  static boolean setsNoNode(ImpactAnalysis a) {
    return a.outcomes().stream().allMatch(o -> o.summary().average().expectedEffect() == null);
  }

  /** Renders one outcome's block. */
  public static String render(ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table) {
    String level = Numbers.level(a.level());
    Summary s = o.summary();
    PeriodSummary avg = s.average();
    PeriodSummary cum = s.cumulative();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "Average", "Cumulative"});
    rows.add(new String[] {"Actual", Numbers.format(avg.actual()), Numbers.format(cum.actual())});
    rows.add(
        new String[] {
          "Prediction (s.d.)", withSd(avg.predicted().mean(), avg.predictedSd()),
          withSd(cum.predicted().mean(), cum.predictedSd())
        });
    addIntervals(rows, level, avg.predicted(), cum.predicted(), false);
    rows.add(
        new String[] {
          "Absolute effect (s.d.)", withSd(avg.effect().mean(), avg.effectSd()),
          withSd(cum.effect().mean(), cum.effectSd())
        });
    addIntervals(rows, level, avg.effect(), cum.effect(), false);
    rows.add(
        new String[] {
          "Relative effect (s.d.)", relativeWithSd(avg), relativeWithSd(cum)
        });
    addIntervals(rows, level, avg.relative(), cum.relative(), true);
    if (avg.expectedEffect() != null && cum.expectedEffect() != null) {
      rows.add(
          new String[] {
            "Expected effect (do, model)",
            Numbers.format(avg.expectedEffect().mean()),
            Numbers.format(cum.expectedEffect().mean())
          });
      rows.add(
          new String[] {
            "  bootstrap " + level + " CI",
            Numbers.interval(avg.expectedEffect().bootstrap()),
            Numbers.interval(cum.expectedEffect().bootstrap())
          });
    }
    StringBuilder sb = new StringBuilder();
    sb.append(heading(a, o, table)).append("\n\n");
    int w0 = 28;
    int w1 = 23;
    for (String[] r : rows) {
      w0 = Math.max(w0, r[0].length() + 2);
      w1 = Math.max(w1, r[1].length() + 3);
    }
    for (String[] r : rows) {
      sb.append(pad(r[0], w0)).append(pad(r[1], w1)).append(r[2]);
      trimEnd(sb);
      sb.append('\n');
    }
    sb.append('\n');
    sb.append(pad("p-value (bootstrap, two-sided):", 40))
        .append(Numbers.pValue(s.pValueBootstrap()))
        .append('\n');
    String method = s.conformalTest() == null ? "" : ", " + s.conformalTest().shortLabel();
    sb.append(pad("p-value (conformal" + method + "):", 40))
        .append(Numbers.pValue(s.pValueConformal()))
        .append('\n');
    if (a.isPlacebo(o.node())) {
      sb.append(PLACEBO_NOTE.replace("Y", o.node())).append('\n');
    } else {
      sb.append("Probability of a causal effect (1 − p, as R reports it; not a posterior):")
          .append(" bootstrap ")
          .append(Numbers.oneMinusP(s.pValueBootstrap()))
          .append(", conformal ")
          .append(Numbers.oneMinusP(s.pValueConformal()))
          .append('\n');
    }
    boolean unbounded = false;
    boolean missing = false;
    for (String[] r : rows) {
      for (int i = 1; i < r.length; i++) {
        unbounded |= r[i].contains("inf");
        missing |= r[i].equals("n/a");
      }
    }
    if (unbounded) {
      sb.append(UNBOUNDED_NOTE).append('\n');
    }
    if (missing) {
      sb.append(MISSING_NOTE).append('\n');
    }
    return sb.toString();
  }

  /** {@code Outcome y — pre rows 0–69 (a..b), post rows 70–99 (c..d), 95% intervals}. */
  static String heading(ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table) {
    return "Outcome "
        + o.node()
        + " — pre rows "
        + range(a.preStart(), a.postStart() - 1, table)
        + ", post rows "
        + range(a.postStart(), a.postEnd() - 1, table)
        + ", "
        + Numbers.level(a.level())
        + " intervals";
  }

  /** {@code 0–69 (2014-01-01..2014-03-11)}, without the labels when the table has none. */
  static String range(int from, int to, TimeSeriesTable table) {
    String r = from + "–" + to;
    if (table != null && table.labels() != null && to < table.rows() && from >= 0) {
      r += " (" + table.label(from) + ".." + table.label(to) + ")";
    }
    return r;
  }

  private static void addIntervals(
      List<String[]> rows, String level, Estimate avg, Estimate cum, boolean percent) {
    rows.add(
        new String[] {
          "  conformal " + level + " CI",
          interval(avg.conformal(), percent),
          interval(cum.conformal(), percent)
        });
    rows.add(
        new String[] {
          "  bootstrap " + level + " CI",
          interval(avg.bootstrap(), percent),
          interval(cum.bootstrap(), percent)
        });
  }

  private static String interval(Interval i, boolean percent) {
    return percent ? Numbers.percentInterval(i) : Numbers.interval(i);
  }

  private static String withSd(double mean, double sd) {
    return Numbers.format(mean) + " (" + Numbers.format(sd) + ")";
  }

  private static String relativeWithSd(PeriodSummary p) {
    return Numbers.percent(p.relative().mean())
        + " ("
        + Numbers.percent(AnalysisReport.relativeSd(p))
        + ")";
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  private static void trimEnd(StringBuilder sb) {
    while (sb.length() > 0 && sb.charAt(sb.length() - 1) == ' ') {
      sb.setLength(sb.length() - 1);
    }
  }
}
