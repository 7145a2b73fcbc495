package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.Intervention;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code level: auto} equation may take a linear trend its node does not ask for: a metric that
 * grows gets a counterfactual that grows on, one that does not keeps its fit. The designs of
 * {@code config/studies/causalimpact-trend.yaml} (y rising by 0.01 per step, 4.5 noise sds over
 * the 450 pre rows) and {@code causalimpact-stationary.yaml} (the same without the growth), one
 * data set each per seed, effect +3 per step from row 450.
 */
class AutoTrendTest {
  private static final Intervention PLUS_3 =
      new Intervention("plus-3", Map.of("y", new DoSpec.Shift(3.0)), List.of("y"), 450, -1);

  private static ImpactAnalysis analyse(String study, long seed) {
    MonitorDefinition m = MonitorLoader.load(Path.of("config/studies/" + study + ".yaml"));
    DataSimulator.SimulatedData d =
        DataSimulator.simulate(m.graph(), m.simulation(), PLUS_3, seed);
    return ImpactAnalyzer.withDefaults()
        .withFit(m.fit())
        .withIntervals(m.intervals())
        .analyze(study, m.graph(), d.table(), 0, PLUS_3);
  }

  /** The posterior probability of y's trend: 0 when no model took it, 1 when every one did. */
  private static double trendProbability(ImpactAnalysis a) {
    EquationSummary y =
        a.equations().stream().filter(e -> e.node().equals("y")).findFirst().orElseThrow();
    int k = y.terms().indexOf("trend");
    return k < 0 ? 0 : y.inclusion() == null ? 1 : y.inclusion().get(k);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aGrowingMetricGetsAGrowingCounterfactual(long seed) {
    ImpactAnalysis a = analyse("causalimpact-trend", seed);
    Estimate average = a.outcome("y").summary().average().effect();
    assertAll(
        () -> assertTrue(trendProbability(a) > 0.9, "trend probability " + trendProbability(a)),
        () -> assertTrue(average.bootstrap().contains(3.0), "bootstrap " + average.bootstrap()),
        () -> assertTrue(average.conformal().contains(3.0), "conformal " + average.conformal()));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void aMetricWithoutGrowthTakesNoTrend(long seed) {
    ImpactAnalysis a = analyse("causalimpact-stationary", seed);
    assertTrue(trendProbability(a) < 0.1, "trend probability " + trendProbability(a));
  }
}
