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
 * The CausalImpact-mode studies that the level prior of {@code auto} ({@code LevelGrid}) trades
 * between, as {@code validate} runs them (seed 1, 200 data sets each; y = 1.2 x + level + AR(0.3)
 * noise, 450 pre and 150 post rows, effect +3): a stationary level, the issue's drift of 0.05
 * noise sds a step, and a fast drift of 0.2. Each bound fails with a prior measured before: the
 * half-Cauchy slab of scale 0.02 with a point mass of 0.15 covered the stationary design 96.5% /
 * 99.0% and the drifting one 85.5% / 88.5%; the floored slab without its half-Cauchy tail covered
 * the fast drift 84.5% / 83.0%. With the default: 96.0% / 97.0% at width 0.74 / 0.79, 89.0% /
 * 92.0%, and 91.0% / 91.5% (conformal / bootstrap). The binomial standard error of a coverage
 * near 92% is 1.9 points at 200 data sets.
 *
 * <p>And what the conformal route adds where the level is left out of the model ({@code level:
 * none} on the drifting data): the bootstrap covers 33.0% there, the conformal route 53.0% at 1.7
 * times its width (52.5% / 32.0% at seed 2), because its pool holds the long horizons' scores, in
 * which the drift shows. Weighting the scores by the independent windows they stand for (a score
 * at horizon {@code h} from origins {@code g} rows apart counting {@code min(1, g / h)}) was
 * measured: it brought the drift design's conformal route from 88.7% to 91.3% (1,000 data sets),
 * but the stationary one to 98.3% and this one to 38.5%, so the pool keeps its long horizons at
 * full weight.
 */
class LevelPriorStudyTest {
  private static final Path STUDIES = Path.of("config/studies");

  private static ValidationStudy.Result study(String file) {
    MonitorDefinition m = MonitorLoader.load(STUDIES.resolve(file));
    Intervention effect =
        new Intervention("effect-plus-3", Map.of("y", new DoSpec.Shift(3.0)), List.of("y"), 450, -1);
    ValidationStudy.Result r =
        ValidationStudy.run(
            m.graph(),
            m.simulation(),
            effect,
            m.preWindow(),
            ImpactAnalyzer.withDefaults().withFit(m.fit()).withIntervals(m.intervals()),
            200,
            1L,
            n -> {});
    System.out.println(m.name() + ": " + r);
    return r;
  }

  @Test
  void aStationaryLevelKeepsTheBandAndSharpIntervalsOver150Steps() {
    ValidationStudy.Result r = study("causalimpact-stationary.yaml");
    assertAll(
        () -> inBand("conformal average", r.conformal().average()),
        () -> inBand("bootstrap average", r.bootstrap().average()),
        // the issue: without drift, a mean width of at most 1.0 (R CausalImpact: about 2.0)
        () -> assertTrue(r.bootstrap().averageWidth() <= 1.0, "width " + r.bootstrap()),
        () -> assertTrue(r.conformal().averageWidth() <= 1.0, "width " + r.conformal()));
  }

  @Test
  void theIssuesDriftIsCarriedByTheBootstrap() {
    ValidationStudy.Result r = study("causalimpact-drift.yaml");
    assertAll(
        () -> assertTrue(r.bootstrap().average() >= 0.91, "bootstrap " + r.bootstrap()),
        // the conformal route is still short of the band here (README, "Where it falls short")
        () -> assertTrue(r.conformal().average() >= 0.87, "conformal " + r.conformal()));
  }

  @Test
  void aLevelThatDriftsFastIsStillLearned() {
    ValidationStudy.Result r = study("causalimpact-drift-fast.yaml");
    assertAll(
        () -> assertTrue(r.bootstrap().average() >= 0.89, "bootstrap " + r.bootstrap()),
        () -> assertTrue(r.conformal().average() >= 0.89, "conformal " + r.conformal()));
  }

  @Test
  void theConformalRouteWidensWhereTheModelLacksTheLevel() {
    ValidationStudy.Result r = study("causalimpact-drift-static.yaml");
    assertAll(
        () ->
            assertTrue(
                r.conformal().average() >= r.bootstrap().average() + 0.12,
                "conformal " + r.conformal() + ", bootstrap " + r.bootstrap()),
        () ->
            assertTrue(
                r.conformal().averageWidth() >= 1.4 * r.bootstrap().averageWidth(),
                "conformal " + r.conformal() + ", bootstrap " + r.bootstrap()));
  }

  private static void inBand(String what, double coverage) {
    assertTrue(coverage >= 0.92 && coverage <= 0.98, what + " coverage " + coverage);
  }
}
