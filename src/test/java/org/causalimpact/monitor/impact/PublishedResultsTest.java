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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance 1 and 2 of the engine issue: the published R CausalImpact results on the datasets of
 * {@code ../shared/datasets} (numbers from its SOURCES.md), and the known true effects.
 *
 * <p>Criteria: our average absolute effect lies inside R's published 95% interval; the significance
 * decision (the interval of the average effect excludes 0) of the bootstrap route equals R's; the
 * conformal route's decision equals R's where its interval is bounded, except where its calibration
 * is too short to reject (stated per case; since the level model and the normalised calibration,
 * no case needs it). Where a true effect is known, both 95% intervals of the average effect contain
 * it. Default CausalImpact-mode settings (level auto, AR order 0, 1000 bootstrap replicates, seed
 * 1).
 *
 * <p>Many covariates (issue 17, acceptance 4): California against the 38 other states of {@code
 * california_prop99.csv} (19 pre-period years, so the covariates are selected) gives a negative
 * effect inside R CausalImpact 1.3.0's interval [-38.9, 0.97], and both intervals of the average
 * effect hold the synthetic-control estimate of Abadie, Diamond and Hainmueller (2010), about -19
 * packs per capita over 1989-2000, and both intervals of the year 2000 hold their -26; {@code
 * brexit_gdp.csv} (15 donor countries, 30 pre-period quarters) runs with the donors selected.
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
        new Case("google_data.csv", "y", List.of("x1", "x2"), 60, 90, 18, 36, Double.NaN, false),
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
            false),
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
        new Case("basque.csv", "Basque", List.of("another"), 20, 42, -1.41, -0.13, Double.NaN, false),
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
            false));
  }

  /** The cases with a published R interval. */
  static Stream<Case> casesWithR() {
    return cases().filter(c -> Double.isFinite(c.rLower()));
  }

  static ImpactAnalysis analyse(Case c) {
    return analyse(c, ImpactAnalyzer.withDefaults());
  }

  private static ImpactAnalysis analyse(Case c, ImpactAnalyzer analyzer) {
    List<String> columns = new ArrayList<>(c.covariates());
    columns.add(0, c.response());
    TimeSeriesTable table = Datasets.read(c.file(), columns).slice(0, c.postEnd() + 1);
    return analyzer
        .analyze(
            c.file(),
            CausalImpactModel.graph(
                c.response(), c.covariates(), 0, 0, null, false, Level.AUTO),
            table,
            0,
            new Intervention("post", Map.of(), List.of(c.response()), c.preEnd() + 1, -1));
  }

  @Test
  void manyCovariatesAreSelectedAndHoldTheSyntheticControlEstimate() {
    List<String> states = new ArrayList<>(Datasets.header("california_prop99.csv"));
    states.remove("Year");
    states.remove("California");
    List<String> all = new ArrayList<>(states);
    all.add("California");
    TimeSeriesTable table = Datasets.read("california_prop99.csv", all);
    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .analyze(
                "prop99",
                CausalImpactModel.graph("California", states, 0, 0, null, false, Level.AUTO),
                table,
                0,
                new Intervention("prop99", Map.of(), List.of("California"), 19, -1));
    OutcomeImpact ca = a.outcomes().get(0);
    Estimate average = ca.summary().average().effect();
    StepImpact y2000 = ca.series().get(ca.series().size() - 1);
    System.out.println("California: average " + average + ", 2000 " + y2000.effect());
    assertAll(
        () -> assertTrue(average.mean() < 0 && average.mean() > -38.9, "" + average.mean()),
        () -> assertTrue(average.bootstrap().contains(-19), "" + average.bootstrap()),
        () -> assertTrue(average.conformal().contains(-19), "" + average.conformal()),
        () -> assertTrue(y2000.effect().bootstrap().contains(-26), "" + y2000.effect()),
        () -> assertTrue(y2000.effect().conformal().contains(-26), "" + y2000.effect()),
        () -> assertTrue(ca.summary().significantBootstrap()),
        () ->
            assertTrue(
                a.equations().stream()
                    .anyMatch(e -> e.node().equals("California") && e.inclusion() != null),
                "the states were selected"));

    List<String> donors =
        List.of(
            "Australia", "Austria", "Belgium", "Canada", "Denmark", "Finland", "France",
            "Germany", "Iceland", "Luxemburg", "Netherlands", "New_Zealand", "Norway", "Sweden",
            "Switzerland");
    List<String> columns = new ArrayList<>(donors);
    columns.add("UK");
    // rows 2..31 are 2009-01-01..2016-04-01, 32..54 the post-period
    ImpactAnalysis uk =
        ImpactAnalyzer.withDefaults()
            .analyze(
                "brexit",
                CausalImpactModel.graph("UK", donors, 0, 0, null, false, Level.AUTO),
                Datasets.read("brexit_gdp.csv", columns),
                2,
                new Intervention("vote", Map.of(), List.of("UK"), 32, -1));
    assertTrue(uk.outcomes().get(0).summary().average().effect().bootstrap().isBounded());
  }

  /**
   * R's decisions must not hang on the seed: a prior that widened the short cases' intervals once
   * kept arma_data_R's bootstrap decision at seed 1 and lost it at seeds 2-4 (README, the table of
   * priors). With the default, every case's decisions are the same at seeds 1-5.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("casesWithR")
  void rsDecisionsHoldAtOtherSeeds(Case c) {
    boolean rSignificant = c.rLower() > 0 || c.rUpper() < 0;
    ImpactAnalyzer defaults = ImpactAnalyzer.withDefaults();
    List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
    for (long seed = 2; seed <= 4; seed++) {
      Summary s = analyse(c, defaults.withIntervals(defaults.intervals().withSeed(seed)))
          .outcomes().get(0).summary();
      long at = seed;
      checks.add(
          () -> assertEquals(rSignificant, s.significantBootstrap(), "bootstrap, seed " + at));
      checks.add(
          () -> assertEquals(rSignificant, s.significantConformal(), "conformal, seed " + at));
    }
    assertAll(checks);
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
    // real series, none with an odd reading in its pre-period (PrePeriodOutliers)
    checks.add(
        () ->
            assertTrue(
                a.notes().stream().noneMatch(n -> n.contains("outlier")), a.notes().toString()));
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
