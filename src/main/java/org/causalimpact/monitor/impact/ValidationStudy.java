package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;

/**
 * A simulation study of the intervals: draw data from known equations with a known intervention
 * effect, analyse it, and count how often each route's nominal intervals cover the truth; repeat
 * with a placebo (the same intervention with no effect) to count false positives.
 *
 * <p>Coverage is counted per outcome: pointwise over every post-period step of every replicate;
 * cumulative at the last step; the average effect of the summary once per replicate. An unbounded
 * interval counts as covering, and the share of unbounded intervals is reported beside it so that
 * coverage bought by unboundedness is visible. Replicate {@code r} uses the seed derived from the
 * study's seed by {@link SplittableRandom}, so the study is reproducible.
 */
public final class ValidationStudy {
  private ValidationStudy() {}

  /**
   * Counts of one interval route.
   *
   * @param averageWidth mean width of the bounded intervals of the average effect
   * @param averageUnbounded share of unbounded intervals of the average effect
   */
  public record Coverage(
      double pointwise,
      double pointwiseUnbounded,
      double cumulative,
      double cumulativeUnbounded,
      double average,
      double averageWidth,
      double averageUnbounded,
      double placeboFalsePositive) {}

  /**
   * The study's result.
   *
   * @param replicates replicates run
   * @param conformal the conformal route
   * @param bootstrap the bootstrap route
   * @param trueCumulative mean true cumulative effect (over outcomes and replicates)
   * @param meanCumulativeEstimate mean estimated cumulative effect
   * @param relativeBias {@code (estimate - truth) / |truth|} of the cumulative effect
   * @param expectedEffectCoverage share of post-period steps where the bootstrap interval of the
   *     model's expected (do-operator) effect contains the true effect
   * @param expectedAverageCoverage the same for the summary's average expected effect
   */
  public record Result(
      int replicates,
      Coverage conformal,
      Coverage bootstrap,
      double trueCumulative,
      double meanCumulativeEstimate,
      double relativeBias,
      double expectedEffectCoverage,
      double expectedAverageCoverage) {}

  /**
   * @param graph the monitor's graph
   * @param spec true equations
   * @param intervention the intervention to inject (its do-specs must be set, shift or scale)
   * @param preWindow rows of pre-period before the start
   * @param analyzer the analyzer (settings: level, replicates, seed are taken from it per run)
   * @param replicates number of simulated data sets
   * @param seed study seed
   * @param progress called with the number of replicates done
   */
  public static Result run(
      CausalGraph graph,
      SimulationSpec spec,
      Intervention intervention,
      int preWindow,
      ImpactAnalyzer analyzer,
      int replicates,
      long seed,
      IntConsumer progress) {
    int preStart = Math.max(0, intervention.start() - preWindow);
    Intervention placebo = placeboOf(intervention);
    SplittableRandom seedSource = new SplittableRandom(seed);
    long[] placeboSeeds = seedSource.longs(replicates).toArray();
    long[] seeds = seedSource.longs(replicates).toArray();
    Tally conformal = new Tally();
    Tally bootstrap = new Tally();
    double truthSum = 0;
    double estimateSum = 0;
    int cumulativeCount = 0;
    long expectedSteps = 0;
    long expectedIn = 0;
    long expectedAverages = 0;
    long expectedAverageIn = 0;
    for (int r = 0; r < replicates; r++) {
      DataSimulator.SimulatedData data = DataSimulator.simulate(graph, spec, intervention, seeds[r]);
      ImpactAnalyzer run =
          analyzer.withIntervals(analyzer.intervals().withSeed(seeds[r] ^ 0x5DEECE66DL));
      ImpactAnalysis a = run.analyze("validate", graph, data.table(), preStart, intervention);
      for (OutcomeImpact o : a.outcomes()) {
        double trueCum = 0;
        for (StepImpact s : o.series()) {
          double truth = data.trueEffect(o.node(), s.row());
          trueCum += truth;
          conformal.pointwise(s.effect().conformal(), truth);
          bootstrap.pointwise(s.effect().bootstrap(), truth);
          if (s.expectedEffect() != null) {
            expectedSteps++;
            if (s.expectedEffect().bootstrap().contains(truth)) {
              expectedIn++;
            }
          }
        }
        StepImpact last = o.series().get(o.series().size() - 1);
        conformal.cumulative(last.cumulative().conformal(), trueCum);
        bootstrap.cumulative(last.cumulative().bootstrap(), trueCum);
        double trueAverage = trueCum / o.series().size();
        conformal.average(o.summary().average().effect().conformal(), trueAverage);
        bootstrap.average(o.summary().average().effect().bootstrap(), trueAverage);
        Estimate expectedAverage = o.summary().average().expectedEffect();
        if (expectedAverage != null) {
          expectedAverages++;
          if (expectedAverage.bootstrap().contains(trueAverage)) {
            expectedAverageIn++;
          }
        }
        truthSum += trueCum;
        estimateSum += last.cumulative().mean();
        cumulativeCount++;
      }
      DataSimulator.SimulatedData nullData =
          DataSimulator.simulate(graph, spec, placebo, placeboSeeds[r]);
      ImpactAnalysis p = run.analyze("validate", graph, nullData.table(), preStart, placebo);
      for (OutcomeImpact o : p.outcomes()) {
        conformal.placebo(o.summary().significantConformal());
        bootstrap.placebo(o.summary().significantBootstrap());
      }
      progress.accept(r + 1);
    }
    double truth = truthSum / cumulativeCount;
    double estimate = estimateSum / cumulativeCount;
    return new Result(
        replicates,
        conformal.coverage(),
        bootstrap.coverage(),
        truth,
        estimate,
        truth == 0 ? Double.NaN : (estimate - truth) / Math.abs(truth),
        expectedSteps == 0 ? Double.NaN : (double) expectedIn / expectedSteps,
        expectedAverages == 0 ? Double.NaN : (double) expectedAverageIn / expectedAverages);
  }

  /** The same intervention with every do-spec replaced by one that changes nothing. */
  static Intervention placeboOf(Intervention intervention) {
    Map<String, DoSpec> none = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, DoSpec> e : intervention.actions().entrySet()) {
      none.put(e.getKey(), new DoSpec.Shift(0));
    }
    List<String> outcomes = new ArrayList<>(intervention.outcomes());
    return new Intervention(
        intervention.id() + "-placebo", none, outcomes, intervention.start(), intervention.end());
  }

  private static final class Tally {
    private long pointN;
    private long pointIn;
    private long pointOpen;
    private long cumN;
    private long cumIn;
    private long cumOpen;
    private long avgN;
    private long avgIn;
    private long avgOpen;
    private double avgWidth;
    private long placeboN;
    private long placeboPositive;

    void pointwise(Interval i, double truth) {
      pointN++;
      if (i.contains(truth)) {
        pointIn++;
      }
      if (!i.isBounded()) {
        pointOpen++;
      }
    }

    void cumulative(Interval i, double truth) {
      cumN++;
      if (i.contains(truth)) {
        cumIn++;
      }
      if (!i.isBounded()) {
        cumOpen++;
      }
    }

    void average(Interval i, double truth) {
      avgN++;
      if (i.contains(truth)) {
        avgIn++;
      }
      if (i.isBounded()) {
        avgWidth += i.upper() - i.lower();
      } else {
        avgOpen++;
      }
    }

    void placebo(boolean significant) {
      placeboN++;
      if (significant) {
        placeboPositive++;
      }
    }

    Coverage coverage() {
      return new Coverage(
          ratio(pointIn, pointN),
          ratio(pointOpen, pointN),
          ratio(cumIn, cumN),
          ratio(cumOpen, cumN),
          ratio(avgIn, avgN),
          avgN == avgOpen ? Double.NaN : avgWidth / (avgN - avgOpen),
          ratio(avgOpen, avgN),
          ratio(placeboPositive, placeboN));
    }

    private static double ratio(long a, long b) {
      return b == 0 ? Double.NaN : (double) a / b;
    }
  }
}
