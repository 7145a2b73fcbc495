package org.causalimpact.monitor.impact;

import java.util.Arrays;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.NoiseProcess;

/**
 * One outcome over the pre-period: what was observed and what its fitted equation predicted one
 * step ahead, in sample (the coefficients were fitted on these rows). For row {@code t} the
 * prediction is
 *
 * <pre>
 *   yhat_t = x_t' b + Z a_t
 * </pre>
 *
 * where {@code x_t} are the equation's regressors at {@code t} (parents, own lags, deterministic
 * terms: observed values only), {@code b} its coefficients, and {@code Z a_t} the error process's
 * one-step prediction of {@code u_t = y_t - x_t' b} from {@code u} before {@code t} (the Kalman
 * filter's predicted state; 0 for a static regression, whose prediction is the fitted value {@code
 * x_t' b}). This is what R's CausalImpact draws over the pre-period (its one-step-ahead
 * predictions), so {@code actual - fitted} are the in-sample one-step errors.
 *
 * @param node the outcome node
 * @param startRow the first pre-period row; index {@code i} of the arrays is row {@code startRow +
 *     i}, through the row before the intervention
 * @param actual the observed values
 * @param fitted the one-step predictions; NaN for the first rows, which only serve as lags of the
 *     fit
 */
public record PrePeriodFit(String node, int startRow, double[] actual, double[] fitted) {
  public PrePeriodFit {
    if (actual.length != fitted.length) {
      throw new IllegalArgumentException(
          actual.length + " actual values but " + fitted.length + " fitted ones");
    }
    actual = actual.clone();
    fitted = fitted.clone();
  }

  @Override
  public double[] actual() {
    return actual.clone();
  }

  @Override
  public double[] fitted() {
    return fitted.clone();
  }

  /** Number of pre-period rows. */
  public int rows() {
    return actual.length;
  }

  /** The observed value of row {@code startRow + i}. */
  public double actual(int i) {
    return actual[i];
  }

  /** The one-step prediction of row {@code startRow + i}; NaN where the fit has none. */
  public double fitted(int i) {
    return fitted[i];
  }

  /**
   * The pre-period fit of outcome {@code node} (graph index) by the equation {@code model} fitted
   * on rows {@code [preStart, model.equation(node).endRow())}.
   *
   * @param observed {@code [node][row]} from row 0 through at least the fit's last row
   */
  static PrePeriodFit of(FittedScm model, double[][] observed, int node, int preStart) {
    return of(model, observed, observed[node], node, preStart);
  }

  /**
   * As {@link #of(FittedScm, double[][], int, int)}, the actual values read from {@code recorded}:
   * the node's values as the data gave them, where the model was fitted on values with outliers
   * replaced ({@link PrePeriodOutliers}), so that the chart shows what was observed.
   */
  static PrePeriodFit of(
      FittedScm model, double[][] observed, double[] recorded, int node, int preStart) {
    FittedEquation e = model.equation(node);
    EquationLayout layout = e.layout();
    double[] b = e.coefficients();
    int first = e.firstRow();
    int n = e.observations();
    double[] fitted = new double[first - preStart + n];
    Arrays.fill(fitted, 0, first - preStart, Double.NaN);
    double[] u = new double[n];
    for (int i = 0; i < n; i++) {
      double mean = layout.predict(b, (j, t) -> observed[j][t], first + i);
      fitted[first - preStart + i] = mean;
      u[i] = observed[node][first + i] - mean;
    }
    NoiseProcess process = e.process();
    if (!process.isStatic()) {
      double[][] states = process.whiten(new double[][] {u}, true).rowStates();
      for (int i = 0; i < n; i++) {
        fitted[first - preStart + i] += process.meanStep(states[i].clone());
      }
    }
    double[] actual = Arrays.copyOfRange(recorded, preStart, first + n);
    return new PrePeriodFit(layout.nodeName(), preStart, actual, fitted);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrePeriodFit p
        && node.equals(p.node)
        && startRow == p.startRow
        && Arrays.equals(actual, p.actual)
        && Arrays.equals(fitted, p.fitted);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * node.hashCode() + startRow) + Arrays.hashCode(fitted);
  }

  @Override
  public String toString() {
    return "PrePeriodFit[" + node + ", rows " + startRow + ".." + (startRow + rows() - 1) + "]";
  }
}
