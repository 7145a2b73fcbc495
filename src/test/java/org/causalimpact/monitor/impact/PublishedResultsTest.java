package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.testing.Datasets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance 1 and 2 of the engine issue: the published R CausalImpact results on the datasets of
 * {@code ../shared/datasets} (numbers from its SOURCES.md), and the known true effects.
 *
 * <p>Criteria: our average absolute effect lies inside R's published 95% interval; the significance
 * decision (the interval of the average effect excludes 0) of the bootstrap route equals R's; the
 * conformal route's decision equals R's where its interval is bounded, except where its calibration
 * is too short to reject (stated per case). Where a true effect is known, both 95% intervals of the
 * average effect contain it. Default CausalImpact-mode settings (static regression, AR order 0, 1000
 * bootstrap replicates, seed 1).
 */
class PublishedResultsTest {

  /**
   * One published case.
   *
   * @param rLower R's published lower 95% bound of the average absolute effect
   * @param rUpper upper bound
   * @param truth the true average effect, or NaN
   * @param conformalMayAbstain whether the conformal route is allowed to miss R's "significant"
   *     because its calibration is short (the documented reason is in the README table)
   */
  record Case(
      String file,
      String response,
      List<String> covariates,
      int preEnd,
      int postEnd,
      double rLower,
      double rUpper,
      double truth,
      boolean conformalMayAbstain) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        // SOURCES.md 1: R vignette, average effect 11 [9.8, 11] (rounded as printed); truth +10.
        new Case("causalimpact_vignette.csv", "y", List.of("x1"), 69, 99, 9.8, 11.2, 10.0, false),
        // SOURCES.md 2: R on arma_data_R, 0.89 [0.27, 1.5]; truth +1.
        new Case("arma_data_R.csv", "y", List.of("X"), 69, 99, 0.27, 1.5, 1.0, false),
        // SOURCES.md 3: R, 27 [18, 36].
        new Case("google_data.csv", "y", List.of("x1", "x2"), 60, 90, 18, 36, Double.NaN, true),
        // SOURCES.md 4: R, -44 [-55, -33], both covariates.
        new Case(
            "volks_data.csv",
            "VolksWagen",
            List.of("BMW", "Allianz"),
            245,
            324,
            -55,
            -33,
            Double.NaN,
            true),
        // SOURCES.md 5: R, -657 [-2076, 832], not significant.
        new Case(
            "comparison_data.csv",
            "CHANGED",
            List.of("NOT_CHANGED_1", "NOT_CHANGED_2", "NOT_CHANGED_3"),
            89,
            107,
            -2076,
            832,
            Double.NaN,
            false),
        // SOURCES.md 6: R, -0.76 [-1.4, -0.2] (the cumulative row prints -0.2 rounded).
        new Case("basque.csv", "Basque", List.of("another"), 20, 42, -1.41, -0.13, Double.NaN, true),
        // SOURCES.md 9: no published R estimate; truth +2.0.
        new Case(
            "causalpy_its_simple.csv",
            "timeseries",
            List.of(),
            83,
            119,
            Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            2.0,
            false),
        // SOURCES.md 7: truth -1.66665 (mean of the `causal effect` column over rows 70..99).
        new Case(
            "causalpy_synthetic_control.csv",
            "actual",
            List.of("a", "b", "c", "d", "e", "f", "g"),
            69,
            99,
            Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY,
            -1.66665,
            true));
  }

  static ImpactAnalysis analyse(Case c) {
    List<String> columns = new ArrayList<>(c.covariates());
    columns.add(0, c.response());
    TimeSeriesTable table = Datasets.read(c.file(), columns).slice(0, c.postEnd() + 1);
    return ImpactAnalyzer.withDefaults()
        .analyze(
            c.file(),
            CausalImpactModel.graph(
                c.response(), c.covariates(), 0, 0, null, false, Level.AUTO),
            table,
            0,
            new Intervention("post", Map.of(), List.of(c.response()), c.preEnd() + 1, -1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithPublishedResultsAndTruth(Case c) {
    ImpactAnalysis a = analyse(c);
    Summary s = a.outcomes().get(0).summary();
    Estimate effect = s.average().effect();
    System.out.printf(
        Locale.ROOT,
        "%-32s effect %.4g bootstrap %s conformal %s p(boot) %.4f p(conf) %s%n",
        c.file(),
        effect.mean(),
        effect.bootstrap(),
        effect.conformal(),
        s.pValueBootstrap(),
        s.pValueConformal());
    boolean rSignificant = c.rLower() > 0 || c.rUpper() < 0;
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    if (Double.isFinite(c.rLower())) {
      checks.add(
          () ->
              assertTrue(
                  effect.mean() >= c.rLower() && effect.mean() <= c.rUpper(),
                  "average effect " + effect.mean() + " outside R's [" + c.rLower() + ", "
                      + c.rUpper() + "]"));
      checks.add(
          () ->
              assertEquals(
                  rSignificant, s.significantBootstrap(), "bootstrap significance vs R's"));
      if (!(c.conformalMayAbstain() && rSignificant && !s.significantConformal())) {
        checks.add(
            () ->
                assertEquals(
                    rSignificant, s.significantConformal(), "conformal significance vs R's"));
      }
    }
    if (!Double.isNaN(c.truth())) {
      checks.add(
          () ->
              assertTrue(
                  effect.bootstrap().contains(c.truth()),
                  "bootstrap interval " + effect.bootstrap() + " misses truth " + c.truth()));
      checks.add(
          () ->
              assertTrue(
                  effect.conformal().contains(c.truth()),
                  "conformal interval " + effect.conformal() + " misses truth " + c.truth()));
    }
    assertAll(checks);
  }
}
