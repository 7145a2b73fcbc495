package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.junit.jupiter.api.Test;

/**
 * Simulation studies with known truth (the {@code validate} command runs the same studies): {@code
 * config/monitors/validation.yaml} (x -> y, both autoregressive; do(x shift +5) from row 400, 20
 * post-period rows; seed 1, 300 replicates), the same with a drifting level on y ({@code
 * config/studies/validation-drift.yaml}, issue 17 study (b); 200 replicates), and the demo funnel
 * ({@code config/monitors/demo.yaml}: 5 nodes, 120 post-period rows, do(ad_spend shift +50) with
 * visits and signups as outcomes, issue 17 study (c); 200 replicates).
 *
 * <p>Tolerances from the issue: nominal 95% intervals cover within [92%, 98%] for both routes,
 * pointwise and cumulative; placebo false-positive rate at most 7%; |bias| of the cumulative effect
 * at most 2% of the true effect. With 300 replicates the binomial standard error of a 95% coverage
 * is 1.3 points, so the band is about two standard errors wide on each side.
 */
class ValidationStudyTest {

  @Test
  void intervalsAreCalibratedAndUnbiased() {
    MonitorDefinition m = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), 400, -1);
    ValidationStudy.Result r = run(m, campaign, 300);
    assertAll(
        () -> inBand("conformal pointwise", r.conformal().pointwise()),
        () -> inBand("conformal cumulative", r.conformal().cumulative()),
        () -> inBand("bootstrap pointwise", r.bootstrap().pointwise()),
        () -> inBand("bootstrap cumulative", r.bootstrap().cumulative()),
        () -> atMost("conformal placebo false positives", r.conformal().placeboFalsePositive()),
        () -> atMost("bootstrap placebo false positives", r.bootstrap().placeboFalsePositive()),
        () ->
            assertTrue(
                Math.abs(r.relativeBias()) <= 0.02,
                "relative bias of the cumulative effect " + r.relativeBias()),
        () ->
            assertTrue(
                r.conformal().pointwiseUnbounded() == 0 && r.conformal().cumulativeUnbounded() == 0,
                "coverage must not come from unbounded intervals"));
  }

  @Test
  void aDriftingLevelOnTheOutcomeStaysCalibrated() {
    MonitorDefinition m = MonitorLoader.load(Path.of("config/studies/validation-drift.yaml"));
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), 400, -1);
    checkStudy(m, campaign, 200);
  }

  @Test
  void theDemoFunnelWithALongPostPeriodIsCalibrated() {
    MonitorDefinition m = MonitorLoader.load(Path.of("config/monitors/demo.yaml"));
    Intervention campaign =
        new Intervention(
            "campaign",
            Map.of("ad_spend", new DoSpec.Shift(50.0)),
            List.of("visits", "signups"),
            480,
            -1);
    // 120 post rows carry the uncertainty of how much three levels drift; with the level prior's
    // point mass at no drift and its floored slab (LevelGrid) both routes cover within the issue's
    // band at seed 1: 94.3% / 95.5% (by `validate`, seeds 2 and 3: 93.8% / 95.5%, 96.0% / 97.0%)
    checkStudy(m, campaign, 200);
  }

  /** {@link #checkStudy(MonitorDefinition, Intervention, int, double)} with the band [92%, 98%]. */
  private static void checkStudy(MonitorDefinition m, Intervention campaign, int replicates) {
    checkStudy(m, campaign, replicates, 0.98);
  }

  /**
   * Both routes' average and cumulative coverage in [92%, {@code upper}], placebo rate at most
   * 7%, relative bias at most 2%, no unbounded conformal average.
   */
  private static void checkStudy(
      MonitorDefinition m, Intervention campaign, int replicates, double upper) {
    ValidationStudy.Result r = run(m, campaign, replicates);
    assertAll(
        () -> inBand("conformal average", r.conformal().average(), upper),
        () -> inBand("conformal cumulative", r.conformal().cumulative(), upper),
        () -> inBand("bootstrap average", r.bootstrap().average(), upper),
        () -> inBand("bootstrap cumulative", r.bootstrap().cumulative(), upper),
        () -> atMost("conformal placebo false positives", r.conformal().placeboFalsePositive()),
        () -> atMost("bootstrap placebo false positives", r.bootstrap().placeboFalsePositive()),
        () ->
            assertTrue(
                Math.abs(r.relativeBias()) <= 0.02,
                "relative bias of the cumulative effect " + r.relativeBias()),
        () -> assertTrue(r.conformal().averageUnbounded() == 0, "unbounded conformal averages"));
  }

  /** The study of the monitor's simulation at seed 1, printed. */
  private static ValidationStudy.Result run(
      MonitorDefinition m, Intervention campaign, int replicates) {
    ValidationStudy.Result r =
        ValidationStudy.run(
            m.graph(),
            m.simulation(),
            campaign,
            m.preWindow(),
            ImpactAnalyzer.withDefaults().withFit(m.fit()).withIntervals(m.intervals()),
            replicates,
            1L,
            n -> {});
    System.out.println(m.name() + ": " + r);
    return r;
  }

  private static void inBand(String what, double coverage, double upper) {
    assertTrue(coverage >= 0.92 && coverage <= upper, what + " coverage " + coverage);
  }

  private static void inBand(String what, double coverage) {
    inBand(what, coverage, 0.98);
  }

  private static void atMost(String what, double rate) {
    assertTrue(rate <= 0.07, what + " " + rate);
  }
}
