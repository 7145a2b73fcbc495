package org.causalimpact.monitor.impact;

import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.MeanErrors;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * The point paths of a {@link StreamingAnalysis}: each world simulated with the fitted coefficients
 * and the mean forecast of the errors, one row at a time, in windows of the worlds' history length
 * (as {@link WorldSimulator#stepPaths} keeps them, one lane).
 */
final class MeanPaths {
  /** {@code [position][term][1]}: the fitted coefficients, one lane. */
  private final double[][][] coefficients;
  /** The mean forecast of the errors, which the paths add; {@code meanRow} its last row. */
  private final MeanErrors meanErrors;

  private final double[][] meanRow;
  private final double[] meanValues;
  /** {@code [position][slot][1]}: the world without do-actions, and with them (or null). */
  private final double[][][] counterfactual;

  private final double[][][] interventional;

  MeanPaths(FittedScm model, WorldSimulator worlds, boolean hasActions) {
    int[] nodes = worlds.simulatedNodes();
    int d = nodes.length;
    int window = worlds.historyLength();
    this.coefficients = new double[d][][];
    for (int i = 0; i < d; i++) {
      double[] c = model.equation(nodes[i]).coefficients();
      coefficients[i] = new double[c.length][1];
      for (int k = 0; k < c.length; k++) {
        coefficients[i][k][0] = c[k];
      }
    }
    this.counterfactual = new double[d][window][1];
    this.interventional = hasActions ? new double[d][window][1] : null;
    this.meanErrors = new MeanErrors(model, nodes);
    this.meanRow = meanErrors.any() ? new double[d][1] : null;
    this.meanValues = new double[d];
  }

  /** Row {@code t} of both worlds. */
  void step(WorldSimulator worlds, int start, int t) {
    if (meanRow != null) {
      meanErrors.next(meanValues);
      for (int i = 0; i < meanValues.length; i++) {
        meanRow[i][0] = meanValues[i];
      }
    }
    worlds.stepPaths(coefficients, start, t, meanRow, counterfactual, interventional);
  }

  /** Starts the mean errors again from the first post-period row, to simulate the rows again. */
  void restart() {
    meanErrors.restart();
  }

  double counterfactual(int position, int slot) {
    return counterfactual[position][slot][0];
  }

  double interventional(int position, int slot) {
    return interventional[position][slot][0];
  }
}
