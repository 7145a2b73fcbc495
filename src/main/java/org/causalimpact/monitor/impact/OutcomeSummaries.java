package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.ConformalBounds;
import org.causalimpact.monitor.uncertainty.BootstrapBands;
import org.causalimpact.monitor.uncertainty.PermutationInference;
import org.causalimpact.monitor.uncertainty.Quantiles;
import org.causalimpact.monitor.uncertainty.ResidualBootstrap;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;

/** Step series and summary of one outcome from the point paths and both interval routes. */
final class OutcomeSummaries {
  private OutcomeSummaries() {}

  static OutcomeImpact build(
      String name,
      TimeSeriesTable table,
      int t0,
      double[] actual,
      double[] cf,
      double[] iv,
      int o,
      ResidualBootstrap.Paths paths,
      BootstrapBands bands,
      ConformalBounds conformal,
      int calibratedHorizons,
      PermutationInference cwz,
      double sigma,
      double alpha,
      List<String> notes) {
    int horizon = actual.length;
    int replicates = paths.counterfactual().length;
    double lo = alpha / 2;
    double hi = 1 - alpha / 2;
    boolean hasIv = iv != null;

    double[] drawIv = new double[replicates];
    double[] drawDiff = new double[replicates];
    double[] cumCf = new double[replicates];
    double[] cumDiff = new double[replicates];
    List<StepImpact> series = new ArrayList<>(horizon);
    double cumActual = 0;
    double cumPoint = 0;
    int lastUnbounded = 0;
    for (int h = 0; h < horizon; h++) {
      for (int b = 0; b < replicates; b++) {
        double c = paths.counterfactual()[b][o][h];
        cumCf[b] += c;
        if (hasIv) {
          double v = paths.interventional()[b][o][h];
          drawIv[b] = v;
          drawDiff[b] = v - c;
          cumDiff[b] += v - c;
        }
      }
      double a = actual[h];
      cumActual += a;
      cumPoint += cf[h];
      Double q = conformal.pointwise()[h];
      if (q == null) {
        lastUnbounded = h + 1;
      }
      int row = t0 + h;
      series.add(
          step(
              row,
              table.label(row),
              h,
              a,
              cf[h],
              hasIv ? iv[h] : Double.NaN,
              Interval.of(bands.point()[h][0], bands.point()[h][1]),
              Interval.of(bands.cumulative()[h][0], bands.cumulative()[h][1]),
              hasIv ? percentile(drawIv, lo, hi) : null,
              hasIv ? percentile(drawDiff, lo, hi) : null,
              q,
              conformal.cumulative()[h],
              cumActual,
              cumPoint));
    }
    Double qSum = conformal.cumulative()[horizon - 1];
    Summary summary =
        summary(
            name,
            horizon,
            cumActual,
            cumPoint,
            cumCf,
            hasIv ? cumDiff : null,
            hasIv ? meanOf(iv, cf) : 0,
            qSum,
            qSum != null ? conformal.pValue() : null,
            calibratedHorizons,
            cwz,
            sigma,
            alpha,
            lastUnbounded,
            notes);
    return new OutcomeImpact(name, series, summary);
  }

  /**
   * The summary of one outcome over a post-period of {@code horizon} steps, from the running sums
   * through its last step; adds its notes to {@code notes}. The batch analysis and the stream's
   * summary both come here.
   *
   * @param cumCf each replicate's sum of the counterfactual (read, not changed)
   * @param cumDiff each replicate's sum of the expected effect, or {@code null} without do-actions
   * @param expectedMean the mean of the point paths' expected effect (0 without do-actions)
   * @param qSum the conformal half-width of the sum at the last step, {@code null} if unbounded
   * @param pNormalised the normalised-rank p-value there (read only when {@code qSum} is bounded)
   * @param cwz the permutation test where it applies, else {@code null}
   * @param lastUnbounded the last step (1-based) whose conformal step interval is unbounded, 0 if
   *     none
   */
  static Summary summary(
      String name,
      int horizon,
      double cumActual,
      double cumPoint,
      double[] cumCf,
      double[] cumDiff,
      double expectedMean,
      Double qSum,
      Double pNormalised,
      int calibratedHorizons,
      PermutationInference cwz,
      double sigma,
      double alpha,
      int lastUnbounded,
      List<String> notes) {
    int replicates = cumCf.length;
    double lo = alpha / 2;
    double hi = 1 - alpha / 2;
    if (lastUnbounded > 0) {
      notes.add(
          String.format(
              Locale.ROOT,
              "%s: conformal step intervals are unbounded %s: the calibration has fewer than %d"
                  + " normalised scores by then at level %s; a longer pre-period (or a larger"
                  + " calibration fraction) bounds them",
              name,
              lastUnbounded == horizon
                  ? "at every step"
                  : lastUnbounded == 1 ? "at step 1" : "at steps 1.." + lastUnbounded,
              Quantiles.minimumCalibration(alpha),
              trim(1 - alpha)));
    }

    double meanActual = cumActual / horizon;
    double meanCf = cumPoint / horizon;
    double[] avgCf = new double[replicates];
    for (int b = 0; b < replicates; b++) {
      avgCf[b] = cumCf[b] / horizon;
    }
    double sd = sd(avgCf);
    double effectMean = meanActual - meanCf;
    Interval effConf;
    Double pConformal;
    if (qSum != null) {
      effConf = Interval.of(effectMean - qSum / horizon, effectMean + qSum / horizon);
      pConformal = pNormalised;
      if (horizon > calibratedHorizons) {
        notes.add(
            String.format(
                Locale.ROOT,
                "%s: the pre-period calibrates the conformal intervals up to step %d; from there"
                    + " to step %d they scale with the model's spread (the bootstrap's), which"
                    + " assumes the model predicts how errors grow with the horizon",
                name,
                calibratedHorizons,
                horizon));
      }
    } else if (cwz != null) {
      Double[] set = cwz.confidenceSet(effectMean, sigma > 0 ? sigma : 1e-9, alpha);
      effConf = new Interval(set[0], set[1]);
      pConformal = cwz.pValue(0);
      notes.add(
          name
              + ": the conformal summary uses the permutation test of Chernozhukov, Wuthrich and"
              + " Zhu (2021), which assumes a constant effect, because too few calibration origins"
              + " reach the full post-period horizon");
    } else {
      effConf = Interval.unbounded();
      pConformal = null;
      notes.add(
          name
              + ": the conformal summary is unbounded: too few calibration origins reach the full"
              + " post-period horizon, and the permutation test does not apply to an outcome whose"
              + " parents the intervention changes");
    }

    PeriodSummary average =
        period(
            meanActual,
            meanCf,
            sd,
            avgCf,
            effConf,
            lo,
            hi,
            cumDiff == null ? null : divided(cumDiff, horizon),
            expectedMean);
    PeriodSummary cumulative =
        period(
            cumActual,
            cumPoint,
            sd * horizon,
            cumCf,
            effConf.times(horizon),
            lo,
            hi,
            cumDiff,
            expectedMean * horizon);

    double pBoot = bootstrapPValue(cumCf, cumActual);
    ConformalTest test =
        pConformal == null
            ? null
            : qSum != null ? ConformalTest.NORMALISED_RANK : ConformalTest.PERMUTATION;
    return new Summary(average, cumulative, pBoot, pConformal, test);
  }

  /**
   * The record of step {@code h + 1} (0-based {@code h}).
   *
   * @param a the actual value
   * @param cf the counterfactual point value
   * @param iv the interventional point value (ignored when {@code ivBoot} is null)
   * @param cfBoot bootstrap interval of the counterfactual
   * @param cumCfBoot bootstrap interval of the cumulative counterfactual
   * @param ivBoot bootstrap interval of the interventional value, or {@code null} without that world
   * @param diffBoot bootstrap interval of the expected effect, or {@code null}
   * @param q conformal half-width at this step, {@code null} if unbounded
   * @param qc conformal half-width of the cumulative sum, {@code null} if unbounded
   * @param cumActual sum of the actual values through this step
   * @param cumPoint sum of the counterfactual point values through this step
   */
  static StepImpact step(
      int row,
      String label,
      int h,
      double a,
      double cf,
      double iv,
      Interval cfBoot,
      Interval cumCfBoot,
      Interval ivBoot,
      Interval diffBoot,
      Double q,
      Double qc,
      double cumActual,
      double cumPoint) {
    boolean hasIv = ivBoot != null;
    Interval cfConf = q == null ? Interval.unbounded() : Interval.of(cf - q, cf + q);
    Interval cumConf =
        qc == null
            ? Interval.unbounded()
            : Interval.of(cumActual - cumPoint - qc, cumActual - cumPoint + qc);
    Estimate counterfactual = new Estimate(cf, cfConf, cfBoot);
    Estimate effect = new Estimate(a - cf, cfConf.subtractedFrom(a), cfBoot.subtractedFrom(a));
    Estimate cumulative =
        new Estimate(cumActual - cumPoint, cumConf, cumCfBoot.subtractedFrom(cumActual));
    Estimate expected = hasIv ? new Estimate(iv, null, ivBoot) : null;
    Estimate expectedEffect = hasIv ? new Estimate(iv - cf, null, diffBoot) : null;
    double relative = cf == 0 ? Double.NaN : (a - cf) / cf;
    return new StepImpact(
        row, label, h + 1, a, counterfactual, expected, effect, expectedEffect, cumulative, relative);
  }

  /**
   * The two-sided bootstrap tail-area probability of the observed cumulative sum, {@code min(1, 2
   * (1 + min(#{S*_b >= s}, #{S*_b <= s})) / (B + 1))}: twice CausalImpact's one-sided posterior
   * tail area, so that it is below {@code alpha} exactly when the two-sided percentile interval of
   * the cumulative effect excludes 0 (up to the {@code +1} and ties), the decision the report
   * makes.
   */
  static double bootstrapPValue(double[] cumulativeDraws, double cumActual) {
    int ge = 0;
    int le = 0;
    for (double s : cumulativeDraws) {
      // counted without branches: the draws fall on both sides of the observed sum at random
      ge += s >= cumActual ? 1 : 0;
      le += s <= cumActual ? 1 : 0;
    }
    return Math.min(1.0, 2 * (1.0 + Math.min(ge, le)) / (cumulativeDraws.length + 1.0));
  }

  private static PeriodSummary period(
      double actual,
      double predicted,
      double sd,
      double[] predictedDraws,
      Interval effectConformal,
      double lo,
      double hi,
      double[] diffDraws,
      double expectedMean) {
    Interval predBoot = percentile(predictedDraws, lo, hi);
    Interval predConf = effectConformal.subtractedFrom(actual);
    double[] rel = new double[predictedDraws.length];
    for (int b = 0; b < rel.length; b++) {
      rel[b] = (actual - predictedDraws[b]) / predictedDraws[b];
    }
    Estimate effect =
        new Estimate(actual - predicted, effectConformal, predBoot.subtractedFrom(actual));
    Estimate relative =
        new Estimate(
            predicted == 0 ? Double.NaN : (actual - predicted) / predicted,
            relativeInterval(actual, predConf),
            finite(rel) ? percentile(rel, lo, hi) : Interval.unbounded());
    Estimate expected =
        diffDraws == null ? null : new Estimate(expectedMean, null, percentile(diffDraws, lo, hi));
    return new PeriodSummary(
        actual, new Estimate(predicted, predConf, predBoot), sd, effect, sd, relative, expected);
  }

  /** The interval of {@code actual / P - 1} for {@code P} in the prediction interval. */
  private static Interval relativeInterval(double actual, Interval predicted) {
    if (!predicted.isBounded() || predicted.contains(0.0)) {
      return Interval.unbounded();
    }
    double a = actual / predicted.lower() - 1;
    double b = actual / predicted.upper() - 1;
    return Interval.of(Math.min(a, b), Math.max(a, b));
  }

  private static Interval percentile(double[] draws, double lo, double hi) {
    double[] q = Quantiles.type7PairUnsorted(draws, lo, hi);
    return Interval.of(q[0], q[1]);
  }

  private static boolean finite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private static double[] divided(double[] v, int divisor) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / divisor;
    }
    return out;
  }

  private static double meanOf(double[] iv, double[] cf) {
    double s = 0;
    for (int h = 0; h < iv.length; h++) {
      s += iv[h] - cf[h];
    }
    return s / iv.length;
  }

  private static String trim(double level) {
    return String.format(Locale.ROOT, "%.3g", level);
  }

  private static double sd(double[] v) {
    double m = 0;
    for (double x : v) {
      m += x;
    }
    m /= v.length;
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / Math.max(1, v.length - 1));
  }
}
