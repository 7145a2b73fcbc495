package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;

/**
 * One structural equation fitted by (ridge) least squares on rows {@code [firstRow, endRow)}.
 * Holds what the bootstrap needs to refit cheaply under a fixed design: the design matrix {@code X}
 * and {@code P = (X'X + Lambda)^{-1}}, so that the refit on pseudo-responses {@code X b + e*} is
 * {@code b + P X' e*}. Immutable; arrays are never exposed.
 */
public final class FittedEquation {
  private final EquationLayout layout;
  private final double[] coefficients;
  private final double[][] design;
  private final double[][] inverseGram;
  private final double[] residuals;
  private final int firstRow;
  private final double sigma;
  private final double rSquared;

  FittedEquation(
      EquationLayout layout,
      double[] coefficients,
      double[][] design,
      double[][] inverseGram,
      double[] residuals,
      int firstRow,
      double sigma,
      double rSquared) {
    this.layout = layout;
    this.coefficients = coefficients;
    this.design = design;
    this.inverseGram = inverseGram;
    this.residuals = residuals;
    this.firstRow = firstRow;
    this.sigma = sigma;
    this.rSquared = rSquared;
  }

  public EquationLayout layout() {
    return layout;
  }

  public double[] coefficients() {
    return coefficients.clone();
  }

  double[] coefficientsView() {
    return coefficients;
  }

  public double coefficient(int k) {
    return coefficients[k];
  }

  /** First row with a residual. */
  public int firstRow() {
    return firstRow;
  }

  /** Row after the last fit row. */
  public int endRow() {
    return firstRow + residuals.length;
  }

  /** Regressor {@code k} of fit row {@code firstRow + i}. */
  public double regressor(int i, int k) {
    return design[i][k];
  }

  /** Number of rows in the fit. */
  public int observations() {
    return residuals.length;
  }

  /** Residual of row {@code firstRow + i}. */
  public double residual(int i) {
    return residuals[i];
  }

  public double[] residuals() {
    return residuals.clone();
  }

  /** Residual standard deviation {@code sqrt(RSS / (n - p))}. */
  public double sigma() {
    return sigma;
  }

  public double rSquared() {
    return rSquared;
  }

  /**
   * {@code sqrt(n / (n - p))}: the factor that restores the variance of errors from residuals that
   * least squares has shrunk (Davison and Hinkley 1997, eq. 6.9).
   */
  public double residualInflation() {
    int n = residuals.length;
    int p = coefficients.length;
    return Math.sqrt((double) n / Math.max(1, n - p));
  }

  /**
   * Coefficients refitted on pseudo-responses {@code fitted + e}: {@code b + P X' e}.
   *
   * @param e pseudo-errors, one per fit row
   * @param out receives the refitted coefficients
   */
  public void refit(double[] e, double[] out) {
    int p = coefficients.length;
    double[] xte = new double[p];
    for (int i = 0; i < design.length; i++) {
      double ei = e[i];
      double[] row = design[i];
      for (int k = 0; k < p; k++) {
        xte[k] += row[k] * ei;
      }
    }
    solveShift(xte, out);
  }

  /**
   * As {@link #refit(double[], double[])} with the pseudo-error of fit row {@code i} equal to
   * {@code inflate * residual(index[offset + i] + shift)}, without materialising the errors: the
   * bootstrap's resampled residuals, read in place.
   */
  public void refitResampled(
      int[] index, int offset, int shift, double inflate, double[] out) {
    int p = coefficients.length;
    double[] xte = new double[p];
    for (int i = 0; i < design.length; i++) {
      double ei = inflate * residuals[index[offset + i] + shift];
      double[] row = design[i];
      for (int k = 0; k < p; k++) {
        xte[k] += row[k] * ei;
      }
    }
    solveShift(xte, out);
  }

  private void solveShift(double[] xte, double[] out) {
    int p = coefficients.length;
    for (int a = 0; a < p; a++) {
      double s = coefficients[a];
      double[] pa = inverseGram[a];
      for (int k = 0; k < p; k++) {
        s += pa[k] * xte[k];
      }
      out[a] = s;
    }
  }

  /** The sum of own-lag coefficients {@code sum phi}. */
  public double ownLagSum() {
    double s = 0;
    for (int k = 0; k < coefficients.length; k++) {
      if (layout.isOwnLag(k)) {
        s += coefficients[k];
      }
    }
    return s;
  }

  /** Sum of the lag coefficients on parent node {@code parent} (graph index). */
  public double parentCoefficientSum(int parent) {
    double s = 0;
    for (int k = 0; k < coefficients.length; k++) {
      if (layout.sourceNode(k) == parent && !layout.isOwnLag(k)) {
        s += coefficients[k];
      }
    }
    return s;
  }

  public EquationSummary summary() {
    List<Double> c = new ArrayList<>();
    for (double v : coefficients) {
      c.add(v);
    }
    return new EquationSummary(
        layout.nodeName(), layout.termNames(), c, sigma, rSquared, residuals.length);
  }
}
