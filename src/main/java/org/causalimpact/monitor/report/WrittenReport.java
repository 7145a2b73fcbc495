package org.causalimpact.monitor.report;

import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.Summary;
import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * A short report in plain words per outcome, in the spirit of CausalImpact's {@code
 * summary(impact, "report")}. Its significance statements come from {@link
 * Summary#significantBootstrap()} and {@link Summary#significantConformal()}, the same decisions
 * the table's intervals show, so the words never contradict the numbers. Thread-safe; no state.
 */
public final class WrittenReport {
  private WrittenReport() {}

  /**
   * The report for every outcome, then the analysis notes.
   *
   * @param table the analysed table, for period labels; may be {@code null}
   */
  public static String render(ImpactAnalysis a, TimeSeriesTable table) {
    StringBuilder sb = new StringBuilder();
    for (OutcomeImpact o : a.outcomes()) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(paragraph(a, o, table));
    }
    String model = model(a);
    if (!model.isEmpty()) {
      sb.append('\n').append(model);
    }
    if (!a.notes().isEmpty()) {
      sb.append("\nNotes:\n");
      for (String n : a.notes()) {
        sb.append("- ").append(n).append('\n');
      }
    }
    return sb.toString();
  }

  /** Terms listed as carrying a selected fit: those with an inclusion probability at least this. */
  static final double CARRYING = 0.1;

  /**
   * The model in words for each outcome's equation that has a stochastic level or selected terms:
   * how much its level drifts, how autocorrelated its noise is, and which terms carry the fit.
   */
  static String model(ImpactAnalysis a) {
    StringBuilder sb = new StringBuilder();
    for (OutcomeImpact o : a.outcomes()) {
      for (EquationSummary e : a.equations()) {
        if (!e.node().equals(o.node()) || (e.error() == null && e.inclusion() == null)) {
          continue;
        }
        sb.append("Model of ").append(e.node()).append(": ");
        EquationSummary.ErrorSummary err = e.error();
        if (err == null) {
          sb.append("a regression with white-noise errors");
        } else {
          sb.append("a ")
              .append(err.model())
              .append(" whose level drifts by ")
              .append(Numbers.format(err.levelSd()))
              .append(" per step (standard deviation; 90% posterior interval ")
              .append(Numbers.format(err.levelSdLow()))
              .append(" to ")
              .append(Numbers.format(err.levelSdHigh()))
              .append(")");
          if (err.slopeSd() > 0) {
            sb.append(", its slope by ").append(Numbers.format(err.slopeSd())).append(" per step");
          }
          sb.append(", with AR(1) noise of coefficient ")
              .append(Numbers.format(err.noiseAr()))
              .append(" and innovation s.d. ")
              .append(Numbers.format(e.sigma()));
        }
        if (e.inclusion() != null) {
          int parents = 0;
          List<Integer> carrying = new ArrayList<>();
          for (int k = 0; k < e.terms().size(); k++) {
            if (isParentTerm(e.node(), e.terms().get(k))) {
              parents++;
              if (e.inclusion().get(k) >= CARRYING) {
                carrying.add(k);
              }
            }
          }
          carrying.sort((k1, k2) -> Double.compare(e.inclusion().get(k2), e.inclusion().get(k1)));
          List<String> named = new ArrayList<>();
          for (int k : carrying) {
            named.add(
                e.terms().get(k)
                    + " (inclusion probability "
                    + Numbers.format(e.inclusion().get(k))
                    + ", coefficient "
                    + Numbers.format(e.coefficients().get(k))
                    + ")");
          }
          sb.append("; ")
              .append(parents)
              .append(" covariate terms were selected by their posterior inclusion probability,")
              .append(" and the fit rests on ")
              .append(named.isEmpty() ? "none of them" : String.join(", ", named))
              .append(" (coefficients averaged over the models)");
        }
        sb.append(".\n");
      }
    }
    return sb.toString();
  }

  /** Whether a term reads a parent (the terms selection may leave out), by its name. */
  private static boolean isParentTerm(String node, String term) {
    return !(term.equals("(intercept)")
        || term.equals("trend")
        || term.startsWith("sin(")
        || term.startsWith("cos(")
        || term.startsWith(node + "[t-"));
  }

  /** The paragraph of one outcome. */
  public static String paragraph(ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table) {
    String level = Numbers.level(a.level());
    String y = o.node();
    Summary s = o.summary();
    PeriodSummary avg = s.average();
    PeriodSummary cum = s.cumulative();
    int steps = a.postEnd() - a.postStart();
    StringBuilder sb = new StringBuilder();
    sb.append("During the post-period (rows ")
        .append(a.postStart())
        .append("–")
        .append(a.postEnd() - 1)
        .append(", ");
    if (table != null && table.labels() != null && a.postEnd() <= table.rows()) {
      sb.append(table.label(a.postStart()))
          .append("..")
          .append(table.label(a.postEnd() - 1))
          .append(", ");
    }
    sb
        .append(steps)
        .append(steps == 1 ? " step" : " steps")
        .append("), ")
        .append(y)
        .append(" averaged ")
        .append(Numbers.format(avg.actual()))
        .append(". Without the intervention the model predicts ")
        .append(Numbers.format(avg.predicted().mean()))
        .append(" (")
        .append(level)
        .append(" intervals: ")
        .append(intervals(avg.predicted(), false))
        .append("). The estimated effect is ")
        .append(Numbers.signed(avg.effect().mean()))
        .append(" per step (")
        .append(Numbers.signedPercent(avg.relative().mean()))
        .append("; ")
        .append(intervals(avg.effect(), false))
        .append("), or ")
        .append(Numbers.signed(cum.effect().mean()))
        .append(" summed over the post-period (")
        .append(intervals(cum.effect(), false))
        .append(").\n");

    sb.append("By the bootstrap route, the effect is ");
    if (s.significantBootstrap()) {
      sb.append("statistically significant: the ")
          .append(level)
          .append(" interval of the average effect excludes zero");
    } else {
      sb.append("not statistically significant: the ")
          .append(level)
          .append(" interval of the average effect includes zero");
    }
    sb.append(" (two-sided bootstrap ").append(Numbers.pClause(s.pValueBootstrap())).append("). ");
    sb.append("By the conformal route, the effect is ");
    Interval c = avg.effect().conformal();
    if (s.significantConformal()) {
      sb.append("statistically significant: the ")
          .append(level)
          .append(" interval of the average effect excludes zero");
    } else if (c == null) {
      sb.append("not statistically significant: this route gives no interval here");
    } else if (c.lower() == null || c.upper() == null) {
      sb.append("not statistically significant: with too few calibration points for the ")
          .append(level)
          .append(" level its interval is unbounded");
    } else {
      sb.append("not statistically significant: the ")
          .append(level)
          .append(" interval of the average effect includes zero");
    }
    sb.append(
        s.pValueConformal() == null
            ? " (conformal p-value not available)."
            : " (" + s.conformalTest().label() + " " + Numbers.pClause(s.pValueConformal()) + ").");
    if (!s.significantBootstrap() && !s.significantConformal()) {
      sb.append(" The apparent effect may be noise.");
    }
    sb.append('\n');

    Estimate expected = avg.expectedEffect();
    if (expected != null) {
      sb.append("The model expected the intervention to change ")
          .append(y)
          .append(" by ")
          .append(Numbers.signed(expected.mean()))
          .append(" per step");
      Interval b = expected.bootstrap();
      if (b != null) {
        sb.append(" (bootstrap ").append(level).append(" interval ")
            .append(Numbers.interval(b)).append("); the observed ")
            .append(Numbers.signed(avg.effect().mean()))
            .append(" is ")
            .append(
                b.contains(avg.effect().mean())
                    ? "within that interval"
                    : b.lower() != null && avg.effect().mean() < b.lower()
                        ? "below that interval: less than the model expected"
                        : "above that interval: more than the model expected");
      }
      sb.append(".\n");
    }
    return sb.toString();
  }

  private static String intervals(Estimate e, boolean percent) {
    return "conformal "
        + (percent ? Numbers.percentInterval(e.conformal()) : Numbers.interval(e.conformal()))
        + ", bootstrap "
        + (percent ? Numbers.percentInterval(e.bootstrap()) : Numbers.interval(e.bootstrap()));
  }
}
