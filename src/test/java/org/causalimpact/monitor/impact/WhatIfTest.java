package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WhatIf} on the validation monitor ({@code x -> y}, x with lags 0..1, y with AR(1); true
 * {@code y = 5 + 1.5 x[t] + 0.5 x[t-1] + 0.4 y[t-1] + e}), 400 rows of history, seed 3.
 */
class WhatIfTest {
  private static final int HISTORY = 400;
  private static MonitorDefinition monitor;
  private static TimeSeriesTable history;
  private static WhatIf whatIf;

  @BeforeAll
  static void setUp() {
    monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    history = simulate(HISTORY, 3L);
    whatIf = WhatIf.withDefaults().withFit(monitor.fit()).withIntervals(monitor.intervals());
  }

  private static TimeSeriesTable simulate(int rows, long seed) {
    SimulationSpec spec = new SimulationSpec(rows, monitor.simulation().equations());
    return DataSimulator.simulate(monitor.graph(), spec, null, seed).table();
  }

  private static WhatIf.Forecast forecast(
      Map<String, DoSpec> baseline, Map<String, DoSpec> scenario, int horizon) {
    return whatIf.forecast(
        monitor.graph(), history, baseline, scenario, List.of("y"), horizon);
  }

  private static double totalEffect(TimeSeriesTable t, String cause, String outcome) {
    FittedScm model = ScmFitter.with(monitor.fit()).fit(monitor.graph(), t, 0, t.rows());
    double[][] observed = ScmFitter.columnsOf(monitor.graph(), t);
    return Explanations.effects(model, observed, 0, t.rows()).stream()
        .filter(e -> e.cause().equals(cause) && e.outcome().equals(outcome))
        .mapToDouble(CausalEffect::total)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void shiftOfTheRootConvergesToTheLongRunTotalEffect() {
    WhatIf.Forecast f = forecast(Map.of(), Map.of("x", new DoSpec.Shift(5.0)), 200);
    List<WhatIf.StepForecast> y = f.outcome("y").series();
    assertEquals(200, y.size());
    // Step 1: x[t-1] is history in both worlds, so only the contemporaneous coefficient acts.
    double beta0 = f.equations().get(1).coefficients().get(1);
    assertEquals(beta0 * 5, y.get(0).difference().mean(), 1e-9);
    // Long run: the difference converges geometrically (rate phi ~ 0.4) to 5 x total effect.
    double expected = 5 * totalEffect(history, "x", "y");
    WhatIf.StepForecast last = y.get(199);
    assertEquals(expected, last.difference().mean(), 1e-6);
    assertEquals((1.5 + 0.5) / (1 - 0.4) * 5, expected, 2.0, "true long-run effect 16.7");
    assertTrue(last.difference().bootstrap().contains(expected), last.difference().toString());
    assertNull(last.difference().conformal(), "no conformal interval of the difference");
    // Same forecast, same effect of the model's Explanations: reported with the forecast.
    assertEquals(
        expected / 5,
        f.effects().stream()
            .filter(e -> e.cause().equals("x") && e.outcome().equals("y"))
            .findFirst()
            .orElseThrow()
            .total(),
        1e-12);
    // x itself: the shift exactly, at every step, with a degenerate interval.
    WhatIf.Forecast fx =
        whatIf.forecast(
            monitor.graph(), history, Map.of(), Map.of("x", new DoSpec.Shift(5.0)), List.of("x"),
            10);
    for (WhatIf.StepForecast s : fx.outcome("x").series()) {
      assertEquals(5.0, s.difference().mean(), 1e-9);
      assertEquals(5.0, s.difference().bootstrap().lower(), 1e-9);
      assertEquals(5.0, s.difference().bootstrap().upper(), 1e-9);
    }
  }

  @Test
  void cumulativeAndAverageAreSumsOfTheSteps() {
    WhatIf.Forecast f = forecast(Map.of(), Map.of("x", new DoSpec.Shift(5.0)), 30);
    WhatIf.OutcomeForecast y = f.outcome("y");
    double sum = 0;
    for (WhatIf.StepForecast s : y.series()) {
      sum += s.difference().mean();
      assertEquals(sum, s.cumulativeDifference().mean(), 1e-9);
      assertEquals(s.scenario().mean() - s.baseline().mean(), s.difference().mean(), 1e-12);
    }
    assertEquals(sum, y.cumulative().mean(), 1e-9);
    assertEquals(sum / 30, y.average().mean(), 1e-9);
    assertEquals(y.cumulative().bootstrap().lower() / 30, y.average().bootstrap().lower(), 1e-9);
  }

  @Test
  void swappingTheWorldsNegatesTheDifferenceWithCommonRandomNumbers() {
    Map<String, DoSpec> shift = Map.of("x", new DoSpec.Shift(5.0));
    WhatIf.StepForecast a = forecast(Map.of(), shift, 15).outcome("y").series().get(14);
    WhatIf.StepForecast b = forecast(shift, Map.of(), 15).outcome("y").series().get(14);
    assertEquals(-a.difference().mean(), b.difference().mean(), 1e-9);
    assertEquals(-a.difference().bootstrap().upper(), b.difference().bootstrap().lower(), 1e-9);
    assertEquals(-a.difference().bootstrap().lower(), b.difference().bootstrap().upper(), 1e-9);
  }

  @Test
  void shiftsAgainstAShiftedBaselineCompareToTheSameNaturalWorld() {
    // In a linear SCM shifting by 50 against a baseline shifted by 20 is shifting by 30 against
    // none, replicate by replicate (the noise cancels in the difference).
    WhatIf.StepForecast a =
        forecast(Map.of("x", new DoSpec.Shift(20)), Map.of("x", new DoSpec.Shift(50)), 12)
            .outcome("y").series().get(11);
    WhatIf.StepForecast b =
        forecast(Map.of(), Map.of("x", new DoSpec.Shift(30)), 12).outcome("y").series().get(11);
    assertEquals(b.difference().mean(), a.difference().mean(), 1e-9);
    assertEquals(b.difference().bootstrap().lower(), a.difference().bootstrap().lower(), 1e-9);
    assertEquals(b.difference().bootstrap().upper(), a.difference().bootstrap().upper(), 1e-9);
    assertTrue(a.baseline().mean() > b.baseline().mean() + 30, "baseline world is shifted");
  }

  @Test
  void setAndScaleActOnTheNaturalValue() {
    WhatIf.Forecast set = forecast(Map.of(), Map.of("y", new DoSpec.Set(100.0)), 5);
    for (WhatIf.StepForecast s : set.outcome("y").series()) {
      assertEquals(100.0, s.scenario().mean(), 1e-12);
      assertEquals(100.0 - s.baseline().mean(), s.difference().mean(), 1e-9);
    }
    WhatIf.Forecast scale =
        whatIf.forecast(
            monitor.graph(), history, Map.of(), Map.of("x", new DoSpec.Scale(2.0)), List.of("x"),
            5);
    for (WhatIf.StepForecast s : scale.outcome("x").series()) {
      assertEquals(2 * s.baseline().mean(), s.scenario().mean(), 1e-9);
    }
  }

  @Test
  void conformalBoundsTheLevelsAndSaysWhereItExtrapolates() {
    // Calibration origins are the last 60% of 400 rows: 240 origins for h = 1, fewer further out;
    // the normalised scores of the calibrated horizons (up to 240) bound every step, and the note
    // says that beyond step 240 the bounds follow the model's spread.
    WhatIf.Forecast f = forecast(Map.of(), Map.of("x", new DoSpec.Shift(5.0)), 260);
    List<WhatIf.StepForecast> y = f.outcome("y").series();
    WhatIf.StepForecast first = y.get(0);
    assertTrue(first.baseline().conformal().isBounded());
    double q = first.baseline().conformal().upper() - first.baseline().mean();
    assertEquals(q, first.scenario().conformal().upper() - first.scenario().mean(), 1e-9);
    assertTrue(q > 0);
    assertTrue(y.get(219).baseline().conformal().isBounded());
    assertTrue(y.get(259).baseline().conformal().isBounded());
    assertTrue(
        f.notes().stream()
            .anyMatch(n -> n.startsWith("y: the history calibrates the conformal level intervals"
                + " up to step 240")),
        f.notes().toString());
    assertTrue(f.notes().stream().anyMatch(n -> n.startsWith("difference: no conformal")));
  }

  @Test
  void noInterventionWorldCoversWhatHappensNext() {
    // Five histories (seeds 21..25) of 400 rows and the next 100 rows: how often do the 95%
    // intervals of the baseline world (no intervention) contain the actual y? 500 step-checks,
    // serially correlated within a seed; the tolerance (>= 85%) allows for that.
    int covered = 0;
    int coveredBoot = 0;
    int total = 0;
    for (long seed = 21; seed <= 25; seed++) {
      TimeSeriesTable all = simulate(HISTORY + 100, seed);
      TimeSeriesTable past = all.slice(0, HISTORY);
      WhatIf.Forecast f =
          whatIf.forecast(
              monitor.graph(), past, Map.of(), Map.of("x", new DoSpec.Shift(1.0)), List.of("y"),
              100);
      List<WhatIf.StepForecast> y = f.outcome("y").series();
      for (int h = 0; h < 100; h++) {
        double actual = all.value("y", HISTORY + h);
        covered += y.get(h).baseline().conformal().contains(actual) ? 1 : 0;
        coveredBoot += y.get(h).baseline().bootstrap().contains(actual) ? 1 : 0;
        total++;
      }
    }
    assertTrue(covered >= 0.85 * total, "conformal covered " + covered + " of " + total);
    assertTrue(coveredBoot >= 0.85 * total, "bootstrap covered " + coveredBoot + " of " + total);
  }

  @Test
  void isAPureFunctionOfItsArgumentsAndTheSeed() {
    Map<String, DoSpec> shift = Map.of("x", new DoSpec.Shift(5.0));
    assertEquals(forecast(Map.of(), shift, 20), forecast(Map.of(), shift, 20));
  }

  @Test
  void defaultOutcomesAreTheDescendants() {
    WhatIf.Forecast f =
        whatIf.forecast(
            monitor.graph(), history, Map.of(), Map.of("x", new DoSpec.Shift(1.0)), List.of(), 3);
    assertEquals(List.of("y"), f.outcomes().stream().map(WhatIf.OutcomeForecast::node).toList());
    assertNotNull(f.outcome("y"));
  }

  @Test
  void refusesWhatItCannotForecast() {
    Map<String, DoSpec> shift = Map.of("x", new DoSpec.Shift(5.0));
    assertThrows(InputException.class, () -> forecast(Map.of(), shift, 0));
    assertThrows(InputException.class, () -> forecast(Map.of(), Map.of(), 5));
    assertThrows(
        InputException.class, () -> forecast(Map.of(), Map.of("x", new DoSpec.Observed()), 5));
    assertThrows(
        InputException.class, () -> forecast(Map.of("q", new DoSpec.Set(1)), shift, 5));
    assertThrows(
        InputException.class,
        () -> whatIf.forecast(monitor.graph(), history, Map.of(), shift, List.of("q"), 5));
    // y has no descendants: its outcomes must be named.
    assertThrows(
        InputException.class,
        () ->
            whatIf.forecast(
                monitor.graph(), history, Map.of(), Map.of("y", new DoSpec.Shift(1)), List.of(),
                5));
    // Too few rows for y's 5 coefficients.
    Map<String, DoSpec> ordered = new LinkedHashMap<>(shift);
    InputException e =
        assertThrows(
            InputException.class,
            () ->
                whatIf.forecast(
                    monitor.graph(), history.slice(0, 5), Map.of(), ordered, List.of("y"), 5));
    assertTrue(e.getMessage().contains("pre-period"), e.getMessage());
  }
}
