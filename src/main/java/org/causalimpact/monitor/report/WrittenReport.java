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

  /** Least posterior probability of a selected trend that the model's description states. */
  static final double TREND_NOTED = 0.05;

  /**
   * The model in words for each outcome's equation that has a stochastic level or selected terms:
   * how much its level drifts, how autocorrelated its noise is, and which terms carry the fit.
   */
  static String model(ImpactAnalysis a) {
    StringBuilder sb = new StringBuilder();
    for (OutcomeImpact o : a.outcomes()) {
      for (EquationSummary e : a.equations()) {
        if (!e.node().equals(o.node())
            || (e.error() == null && e.inclusion() == null && e.shrunk() == null)) {
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
        double shrunk = e.shrunk() == null ? 0 : e.shrunk();
        if (shrunk >= 0.5) {
          int entering = 0;
          for (int k = 0; k < e.terms().size(); k++) {
            boolean in = e.inclusion() == null || e.inclusion().get(k) >= shrunk - 1e-9;
            entering += isParentTerm(e.node(), e.terms().get(k)) && in ? 1 : 0;
          }
          int parents = parentTerms(e);
          sb.append(entering < parents ? "; " + entering + " of the " : "; all ")
              .append(parents)
              .append(" covariate terms enter")
              .append(entering < parents ? " (not those the intercept reproduces, which cannot be"
                  + " estimated)" : "")
              .append(", each coefficient shrunk towards 0 by a normal prior")
              .append(" whose strength the data choose (posterior probability ")
              .append(Numbers.format(shrunk))
              .append(" against a subset of them)");
        } else if (e.inclusion() != null && parentsSelected(e)) {
          int parents = 0;
          List<Integer> carrying = new ArrayList<>();
          for (int k = 0; k < e.terms().size(); k++) {
            if (isParentTerm(e.node(), e.terms().get(k))) {
              parents++;
              if (e.inclusion().get(k) - shrunk >= CARRYING) {
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
          if (shrunk >= TREND_NOTED) {
            sb.append("; with posterior probability ")
                .append(Numbers.format(shrunk))
                .append(" all of them enter instead, shrunk towards 0");
          }
        }
        int trend = e.terms().indexOf("trend");
        double trendProbability =
            trend < 0 ? 0 : e.inclusion() == null ? 1 : e.inclusion().get(trend);
        if (trendProbability >= 1 - 1e-9) {
          sb.append("; it has a linear trend, which the counterfactual continues");
        } else if (trendProbability >= TREND_NOTED) {
          sb.append("; with posterior probability ")
              .append(Numbers.format(trendProbability))
              .append(" it also has a linear trend, which the counterfactual continues");
        }
        sb.append(".\n");
      }
    }
    return sb.toString();
  }

  /** The number of terms of {@code e} that read a parent. */
  private static int parentTerms(EquationSummary e) {
    int n = 0;
    for (String term : e.terms()) {
      n += isParentTerm(e.node(), term) ? 1 : 0;
    }
    return n;
  }

  /**
   * Whether the parents' terms were selected: some has an inclusion probability below 1 (where
   * only a {@code level: auto} trend was selected, every parent term is in every model).
   */
  private static boolean parentsSelected(EquationSummary e) {
    for (int k = 0; k < e.terms().size(); k++) {
      if (isParentTerm(e.node(), e.terms().get(k)) && e.inclusion().get(k) < 1 - 1e-9) {
        return true;
      }
    }
    return false;
  }

  /** Whether a term reads a parent (the terms selection may leave out), by its name. */
  private static boolean isParentTerm(String node, String term) {
    return !(term.equals("(intercept)")
        || term.equals("trend")
        || term.startsWith("sin(")
        || term.startsWith("cos(")
        || term.startsWith(node + "[t-"));
  }

  /**
   * The paragraph of one outcome, stating the facts R's {@code summary(impact, "report")} states:
   * the actual and predicted average and sum with their intervals, the absolute and relative
   * effect with theirs, what the intervals mean, the decision of each route with its p-value and
   * {@code 1 - p}, and what the estimate assumes. A placebo outcome gets {@link
   * PlaceboReport#paragraph} instead: its "effect" is the model's error, so it is never called an
   * effect nor significant.
   */
  public static String paragraph(ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table) {
    if (a.isPlacebo(o.node())) {
      return PlaceboReport.paragraph(a, o, table);
    }
    String level = Numbers.level(a.level());
    String y = o.node();
    Summary s = o.summary();
    PeriodSummary avg = s.average();
    PeriodSummary cum = s.cumulative();
    StringBuilder sb = new StringBuilder();
    sb.append(averages(a, o, table, ". Without the intervention the model predicts "))
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
    sb.append("Summed over the post-period, ")
        .append(y)
        .append(" came to ")
        .append(Numbers.format(cum.actual()))
        .append(" against a predicted ")
        .append(Numbers.format(cum.predicted().mean()))
        .append(" (")
        .append(intervals(cum.predicted(), false))
        .append("); a sum means something only for a quantity that adds up over time, such as a")
        .append(" count or revenue, not for a rate or a level. In relative terms the effect is ")
        .append(Numbers.signedPercent(avg.relative().mean()))
        .append(" of the prediction (")
        .append(intervals(avg.relative(), true))
        .append(")");
    String relativeSum =
        Numbers.signedPercent(cum.relative().mean()) + " (" + intervals(cum.relative(), true) + ")";
    if (!relativeSum.equals(
        Numbers.signedPercent(avg.relative().mean()) + " (" + intervals(avg.relative(), true) + ")")) {
      sb.append(", and that of the sum ").append(relativeSum);
    }
    sb.append(".\n");
    sb.append(INTERVALS_MEAN.replace("LEVEL", level)).append('\n');

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
      sb.append(" The apparent effect may be noise. The test is of the post-period as a whole:")
          .append(" a shorter stretch of it may still have moved.");
    } else {
      sb.append(" Whether an effect of this size matters is to be judged against what the")
          .append(" intervention was meant to achieve.");
    }
    sb.append(" The probability of a causal effect (1 − p, as R reports it) is ")
        .append(Numbers.oneMinusP(s.pValueBootstrap()))
        .append(" by the bootstrap route");
    if (s.pValueConformal() != null) {
      sb.append(" and ").append(Numbers.oneMinusP(s.pValueConformal())).append(" by the conformal");
    }
    sb.append("; ").append(ONE_MINUS_P).append('\n');

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
      Estimate expectedSum = cum.expectedEffect();
      if (expectedSum != null) {
        sb.append("; summed over the post-period it expected ")
            .append(Numbers.signed(expectedSum.mean()))
            .append(" (bootstrap ")
            .append(Numbers.interval(expectedSum.bootstrap()))
            .append(")");
      }
      sb.append(".\n");
    }
    sb.append(ASSUMES.replace("Y", y)).append('\n');
    return sb.toString();
  }

  /** What both routes' intervals say, with {@code LEVEL} for the level. */
  static final String INTERVALS_MEAN =
      "Each LEVEL interval is computed two ways. The conformal one rests on the model's errors when"
          + " it predicted held-out stretches of the pre-period: it covers the truth at its level"
          + " if the post-period's errors are like those. The bootstrap one refits the model on"
          + " resampled blocks of its errors and simulates their noise: it shows the uncertainty of"
          + " the fit and of the noise.";

  /** What {@code 1 - p} is and is not. */
  static final String ONE_MINUS_P =
      "our p-values are two-sided and frequentist, so 1 − p is not a posterior probability: a"
          + " value near 100% says only that so large a difference from the prediction would be"
          + " rare had the intervention done nothing.";

  /** What the estimate assumes, with {@code Y} for the outcome. */
  static final String ASSUMES =
      "These numbers hold if the model fitted on the pre-period still describes Y apart from the"
          + " intervention, and if the inputs it reads as observed were not themselves changed by"
          + " the intervention.";

  /**
   * {@code During the post-period (rows 70–99, ...), y averaged 117<predicts>107 (95% intervals:
   * conformal [106, 107], bootstrap [106, 107]}: the actual and predicted averages, the
   * parenthesis left open.
   */
  static String averages(
      ImpactAnalysis a, OutcomeImpact o, TimeSeriesTable table, String predicts) {
    PeriodSummary avg = o.summary().average();
    return period(a, table)
        + ", "
        + o.node()
        + " averaged "
        + Numbers.format(avg.actual())
        + predicts
        + Numbers.format(avg.predicted().mean())
        + " ("
        + Numbers.level(a.level())
        + " intervals: "
        + intervals(avg.predicted(), false);
  }

  /**
   * {@code During the post-period (rows 70–99, 2014-03-12..2014-04-10, 30 steps)}: the rows, their
   * labels when the table has them, and the number of steps.
   */
  static String period(ImpactAnalysis a, TimeSeriesTable table) {
    int steps = a.postEnd() - a.postStart();
    StringBuilder sb = new StringBuilder("During the post-period (rows ");
    sb.append(a.postStart()).append("–").append(a.postEnd() - 1).append(", ");
    if (table != null && table.labels() != null && a.postEnd() <= table.rows()) {
      sb.append(table.label(a.postStart()))
          .append("..")
          .append(table.label(a.postEnd() - 1))
          .append(", ");
    }
    return sb.append(steps).append(steps == 1 ? " step" : " steps").append(")").toString();
  }

  static String intervals(Estimate e, boolean percent) {
    return "conformal "
        + (percent ? Numbers.percentInterval(e.conformal()) : Numbers.interval(e.conformal()))
        + ", bootstrap "
        + (percent ? Numbers.percentInterval(e.bootstrap()) : Numbers.interval(e.bootstrap()));
  }
}
