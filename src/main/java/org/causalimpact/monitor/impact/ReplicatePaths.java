package org.causalimpact.monitor.impact;

import java.util.Arrays;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.StreamingBootstrap;

/**
 * The bootstrap side of a {@link StreamingAnalysis}: every replicate's paths of both worlds, in
 * windows of the worlds' history length, and per outcome each replicate's running sums of the
 * counterfactual and of the expected effect.
 */
final class ReplicatePaths {
  private final StreamingBootstrap bootstrap;
  private final int[] outcomePositions;
  /** {@code [position][slot][replicate]}: without the do-actions, and with them (or null). */
  private final double[][][] counterfactual;

  private final double[][][] interventional;
  /** {@code [outcome][replicate]}: sums of the counterfactual. */
  private final double[][] cumulative;

  /** {@code [outcome][replicate]}: sums of the expected effect (with minus without), or null. */
  private final double[][] cumulativeDifference;

  ReplicatePaths(
      FittedScm model,
      WorldSimulator worlds,
      IntervalSettings intervals,
      int maxHorizon,
      int[] outcomePositions,
      boolean hasActions) {
    this.bootstrap = StreamingBootstrap.start(model, worlds, intervals, maxHorizon);
    this.outcomePositions = outcomePositions;
    int d = worlds.simulatedNodes().length;
    int window = worlds.historyLength();
    int replicates = bootstrap.replicates();
    this.counterfactual = new double[d][window][replicates];
    this.interventional = hasActions ? new double[d][window][replicates] : null;
    this.cumulative = new double[outcomePositions.length][replicates];
    this.cumulativeDifference =
        hasActions ? new double[outcomePositions.length][replicates] : null;
  }

  int replicates() {
    return bootstrap.replicates();
  }

  /** Row {@code t} of every replicate's paths and the running sums. */
  void step(WorldSimulator worlds, int start, int t) {
    bootstrap.step(worlds, start, t, counterfactual, interventional);
    int slot = slot(start, t);
    for (int o = 0; o < outcomePositions.length; o++) {
      double[] c = counterfactual[outcomePositions[o]][slot];
      double[] sum = cumulative[o];
      for (int b = 0; b < c.length; b++) {
        sum[b] += c[b];
      }
      if (cumulativeDifference != null) {
        double[] v = interventional[outcomePositions[o]][slot];
        double[] diff = cumulativeDifference[o];
        for (int b = 0; b < c.length; b++) {
          diff[b] += v[b] - c[b];
        }
      }
    }
  }

  /** Back to before the first post-period row, to simulate the rows again. */
  void restart() {
    bootstrap.restart();
    for (double[] sum : cumulative) {
      Arrays.fill(sum, 0.0);
    }
    if (cumulativeDifference != null) {
      for (double[] sum : cumulativeDifference) {
        Arrays.fill(sum, 0.0);
      }
    }
  }

  /** The slot of row {@code t} in the windows. */
  int slot(int start, int t) {
    return (t - start) % counterfactual[0].length;
  }

  double[] counterfactual(int position, int slot) {
    return counterfactual[position][slot];
  }

  double[] interventional(int position, int slot) {
    return interventional[position][slot];
  }

  double[] cumulativeCounterfactual(int outcome) {
    return cumulative[outcome];
  }

  /** Each replicate's sum of the expected effect, or {@code null} without do-actions. */
  double[] cumulativeDifference(int outcome) {
    return cumulativeDifference == null ? null : cumulativeDifference[outcome];
  }

  /** The bootstrap's state, the paths' windows and the running sums. */
  long bytes() {
    int worldsCount = interventional == null ? 1 : 2;
    long bytes = bootstrap.bytes();
    bytes += 8L * worldsCount * counterfactual.length * counterfactual[0].length * replicates();
    int sums = cumulativeDifference == null ? 1 : 2;
    return bytes + 8L * sums * cumulative.length * replicates();
  }
}
