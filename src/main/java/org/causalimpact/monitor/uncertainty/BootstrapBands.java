package org.causalimpact.monitor.uncertainty;

import java.util.stream.IntStream;

/**
 * The bootstrap's percentile intervals of one outcome's counterfactual at every step and of its
 * running sum, as a batch analysis reports them and as a stream computes them step by step:
 * {@code [h][0..1]} lower and upper for steps {@code 1..H}. Their half-widths normalise the
 * calibration scores ({@link ConformalBounds#run(RollingOriginCalibration, BootstrapBands[], double[],
 * double)}).
 *
 * @param point the interval of the counterfactual at each step
 * @param cumulative the interval of its sum through each step
 */
public record BootstrapBands(double[][] point, double[][] cumulative) {
  /** Steps of one parallel task: each task first sums every replicate up to its first step. */
  private static final int STEPS_PER_TASK = 64;

  /**
   * The bands of outcome {@code outcome} of bootstrap paths {@code [replicate][outcome][h]} at
   * miscoverage {@code alpha}. Runs on the common fork-join pool in slices of steps; each running
   * sum is added up in step order, so the result does not depend on the slicing.
   */
  public static BootstrapBands of(double[][][] counterfactual, int outcome, double alpha) {
    int horizon = counterfactual[0][outcome].length;
    int replicates = counterfactual.length;
    double[][] point = new double[horizon][];
    double[][] cumulative = new double[horizon][];
    // the running sum of every replicate at the first step of each slice
    int tasks = (horizon + STEPS_PER_TASK - 1) / STEPS_PER_TASK;
    double[][] sumsAt = new double[tasks][replicates];
    for (int b = 0; b < replicates; b++) {
      double[] path = counterfactual[b][outcome];
      double sum = 0;
      for (int task = 1; task < tasks; task++) {
        for (int h = (task - 1) * STEPS_PER_TASK; h < task * STEPS_PER_TASK; h++) {
          sum += path[h];
        }
        sumsAt[task][b] = sum;
      }
    }
    IntStream.range(0, tasks)
        .parallel()
        .forEach(
            task -> {
              double[] draws = new double[replicates];
              double[] sums = sumsAt[task];
              int end = Math.min(horizon, (task + 1) * STEPS_PER_TASK);
              for (int h = task * STEPS_PER_TASK; h < end; h++) {
                for (int b = 0; b < replicates; b++) {
                  double c = counterfactual[b][outcome][h];
                  draws[b] = c;
                  sums[b] += c;
                }
                point[h] = Quantiles.type7PairUnsorted(draws, alpha / 2, 1 - alpha / 2);
                cumulative[h] = Quantiles.type7PairUnsorted(sums, alpha / 2, 1 - alpha / 2);
              }
            });
    return new BootstrapBands(point, cumulative);
  }
}
