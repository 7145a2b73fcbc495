package org.causalimpact.monitor.uncertainty;

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
  /**
   * The bands of outcome {@code outcome} of bootstrap paths {@code [replicate][outcome][h]} at
   * miscoverage {@code alpha}.
   */
  public static BootstrapBands of(double[][][] counterfactual, int outcome, double alpha) {
    int horizon = counterfactual[0][outcome].length;
    int replicates = counterfactual.length;
    double[] draws = new double[replicates];
    double[] sums = new double[replicates];
    double[][] point = new double[horizon][];
    double[][] cumulative = new double[horizon][];
    for (int h = 0; h < horizon; h++) {
      for (int b = 0; b < replicates; b++) {
        double c = counterfactual[b][outcome][h];
        draws[b] = c;
        sums[b] += c;
      }
      point[h] = Quantiles.type7PairUnsorted(draws, alpha / 2, 1 - alpha / 2);
      cumulative[h] = Quantiles.type7PairUnsorted(sums, alpha / 2, 1 - alpha / 2);
    }
    return new BootstrapBands(point, cumulative);
  }
}
