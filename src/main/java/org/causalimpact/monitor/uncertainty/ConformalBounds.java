package org.causalimpact.monitor.uncertainty;

/**
 * One outcome's conformal results of a batch analysis: a {@link RollingOriginCalibration}
 * advanced through every step of the post-period with the spreads of the bootstrap intervals, as
 * a stream advances it one row at a time.
 *
 * @param pointwise {@code [h-1]}: half-width of the counterfactual at step {@code h}, or {@code
 *     null} where unbounded
 * @param cumulative {@code [h-1]}: half-width of the sum over steps {@code 1..h}, or {@code null}
 * @param pValue the p-value of the cumulative error at the last step, or {@code null}
 */
public record ConformalBounds(Double[] pointwise, Double[] cumulative, Double pValue) {
  /**
   * Advances {@code calibration} through every step of the bands.
   *
   * @param bands per outcome, the bootstrap's intervals at every step ({@link BootstrapBands#of})
   * @param finalErrors {@code [outcome]}: actual minus point counterfactual, summed over the
   *     post-period, whose p-value is wanted
   * @param alpha miscoverage
   */
  public static ConformalBounds[] run(
      RollingOriginCalibration calibration,
      BootstrapBands[] bands,
      double[] finalErrors,
      double alpha) {
    int o = bands.length;
    int horizon = bands[0].point().length;
    Double[][] point = new Double[o][horizon];
    Double[][] cum = new Double[o][horizon];
    double[] pointSpread = new double[o];
    double[] cumSpread = new double[o];
    for (int h = 0; h < horizon; h++) {
      calibration.advance();
      for (int j = 0; j < o; j++) {
        double[] p = bands[j].point()[h];
        double[] c = bands[j].cumulative()[h];
        pointSpread[j] = RollingOriginCalibration.halfWidth(p[0], p[1]);
        cumSpread[j] = RollingOriginCalibration.halfWidth(c[0], c[1]);
        calibration.addScores(j, pointSpread[j], cumSpread[j]);
        point[j][h] = calibration.pointwiseBound(j, alpha, pointSpread[j]);
        cum[j][h] = calibration.cumulativeBound(j, alpha, cumSpread[j]);
      }
    }
    ConformalBounds[] out = new ConformalBounds[o];
    for (int j = 0; j < o; j++) {
      out[j] =
          new ConformalBounds(
              point[j], cum[j], calibration.pValue(j, finalErrors[j], cumSpread[j]));
    }
    return out;
  }

  /** {@link #run(RollingOriginCalibration, BootstrapBands[], double[], double)} on paths. */
  public static ConformalBounds[] run(
      RollingOriginCalibration calibration,
      double[][][] counterfactual,
      double[] finalErrors,
      double alpha) {
    BootstrapBands[] bands = new BootstrapBands[counterfactual[0].length];
    for (int j = 0; j < bands.length; j++) {
      bands[j] = BootstrapBands.of(counterfactual, j, alpha);
    }
    return run(calibration, bands, finalErrors, alpha);
  }
}
