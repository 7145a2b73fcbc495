package org.causalimpact.monitor.testing;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.impact.Estimate;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.Interval;
import org.causalimpact.monitor.impact.OutcomeImpact;
import org.causalimpact.monitor.impact.PeriodSummary;
import org.causalimpact.monitor.impact.PrePeriodFit;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.Summary;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/** Hand-built analysis results, shaped like the vignette's (pre rows 0–69, post rows 70–99). */
public final class Fixtures {
  public static final int PRE_START = 0;
  public static final int POST_START = 70;
  public static final int POST_END = 100;

  private Fixtures() {}

  /** A table with columns y, x1 and daily date labels from 2014-01-01. */
  public static TimeSeriesTable table() {
    double[] y = new double[POST_END];
    double[] x = new double[POST_END];
    List<String> labels = new ArrayList<>();
    java.time.LocalDate d = java.time.LocalDate.of(2014, 1, 1);
    for (int t = 0; t < POST_END; t++) {
      x[t] = 88 + Math.sin(t / 5.0);
      y[t] = 1.2 * x[t] + (t >= POST_START ? 10 : 0);
      labels.add(d.plusDays(t).toString());
    }
    return new TimeSeriesTable(List.of("y", "x1"), new double[][] {y, x}, labels);
  }

  /**
   * An analysis of outcome y with an effect of about {@code effect} per step.
   *
   * @param effect the average effect
   * @param conformalBounded whether the conformal intervals are finite (else unbounded)
   * @param withExpected whether the model's expected effect is present (graph mode)
   */
  public static ImpactAnalysis analysis(
      double effect, boolean conformalBounded, boolean withExpected) {
    TimeSeriesTable table = table();
    int h = POST_END - POST_START;
    List<StepImpact> steps = new ArrayList<>();
    double cumulative = 0;
    for (int k = 0; k < h; k++) {
      int row = POST_START + k;
      double actual = table.value("y", row);
      double cf = actual - effect;
      cumulative += effect;
      Interval conformal = conformalBounded ? Interval.of(-2, 2) : Interval.unbounded();
      Estimate counterfactual =
          new Estimate(cf, shift(conformal, cf), Interval.of(cf - 1.5, cf + 1.5));
      Estimate eff =
          new Estimate(effect, shift(conformal, effect), Interval.of(effect - 1.5, effect + 1.5));
      Estimate cum =
          new Estimate(
              cumulative,
              conformalBounded ? Interval.of(cumulative - 5, cumulative + 5) : Interval.unbounded(),
              Interval.of(cumulative - 4, cumulative + 4));
      Estimate expected =
          withExpected ? new Estimate(cf + 12, null, Interval.of(cf + 10, cf + 14)) : null;
      Estimate expectedEffect =
          withExpected ? new Estimate(12, null, Interval.of(10, 14)) : null;
      double relative = cf == 0 ? Double.NaN : effect / cf;
      steps.add(
          new StepImpact(
              row, table.label(row), k + 1, actual, counterfactual, expected, eff, expectedEffect,
              cum, relative));
    }
    double actualMean = 117.05;
    double predicted = actualMean - effect;
    PeriodSummary average =
        period(actualMean, predicted, effect, 0.37, conformalBounded, withExpected, 1);
    PeriodSummary total =
        period(actualMean * h, predicted * h, effect * h, 11.03, conformalBounded, withExpected, h);
    Summary summary = new Summary(average, total, 0.001, conformalBounded ? 0.01 : null);
    OutcomeImpact y = new OutcomeImpact("y", steps, summary);
    return new ImpactAnalysis(
        "vignette",
        "post-period",
        0.95,
        PRE_START,
        POST_START,
        POST_END,
        List.of(y),
        List.of(
            new EquationSummary("x1", List.of("(intercept)"), List.of(88.0), 0.7, 0.0, 70, null),
            new EquationSummary(
                "y",
                List.of("(intercept)", "x1[t]"),
                List.of(0.1, 1.2),
                1.0,
                0.9,
                70,
                new EquationSummary.ErrorSummary("local level", 0.05, 0.01, 0.09, 0, 0.3, 12))),
        List.of(new CausalEffect("x1", "y", 1.2, 1.2, 1.0)),
        conformalBounded ? List.of() : List.of("conformal intervals are unbounded: short pre-period"),
        List.of(),
        List.of());
  }

  /**
   * {@code a} (an analysis of these fixtures) with a pre-period fit of y over rows 0–69: the
   * table's values, and as one-step predictions those values plus {@code 0.3 cos t}, none at row 0.
   */
  public static ImpactAnalysis withPreFit(ImpactAnalysis a) {
    TimeSeriesTable t = table();
    double[] actual = new double[POST_START - PRE_START];
    double[] fitted = new double[actual.length];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = t.value("y", PRE_START + i);
      fitted[i] = i == 0 ? Double.NaN : actual[i] + 0.3 * Math.cos(i);
    }
    return new ImpactAnalysis(
        a.monitor(), a.intervention(), a.level(), a.preStart(), a.postStart(), a.postEnd(),
        a.outcomes(), a.equations(), a.effects(), a.notes(),
        List.of(new PrePeriodFit("y", PRE_START, actual, fitted)), a.placebos());
  }

  /** {@code a} with its outcome y marked a placebo: a node the intervention's do() cannot reach. */
  public static ImpactAnalysis asPlacebo(ImpactAnalysis a) {
    return new ImpactAnalysis(
        a.monitor(), a.intervention(), a.level(), a.preStart(), a.postStart(), a.postEnd(),
        a.outcomes(), a.equations(), a.effects(), a.notes(), a.preFits(), List.of("y"));
  }

  private static PeriodSummary period(
      double actual,
      double predicted,
      double effect,
      double sd,
      boolean conformalBounded,
      boolean withExpected,
      int scale) {
    double half = 2 * sd;
    Interval pc =
        conformalBounded ? Interval.of(predicted - half, predicted + half) : Interval.unbounded();
    Interval ec = conformalBounded ? Interval.of(effect - half, effect + half) : Interval.unbounded();
    Interval rc =
        conformalBounded
            ? Interval.of((effect - half) / predicted, (effect + half) / predicted)
            : Interval.unbounded();
    return new PeriodSummary(
        actual,
        new Estimate(predicted, pc, Interval.of(predicted - half, predicted + half)),
        sd,
        new Estimate(effect, ec, Interval.of(effect - half, effect + half)),
        sd,
        new Estimate(
            effect / predicted,
            rc,
            Interval.of((effect - half) / predicted, (effect + half) / predicted)),
        withExpected ? new Estimate(12.0 * scale, null, Interval.of(10.0 * scale, 14.0 * scale))
            : null);
  }

  private static Interval shift(Interval i, double c) {
    return i.isBounded() ? i.plus(c) : i;
  }
}
