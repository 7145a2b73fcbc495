package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * One structural equation fitted by (ridge) generalised least squares on rows {@code [firstRow,
 * endRow)}: the regression {@code V_j(t) = x_t' b + u_t} whose error {@code u} follows a {@link
 * NoiseProcess} (white noise for an ordinary regression). The design, response and residuals are
 * those of the whitened problem (the standardised innovations of the process; for white noise the
 * data themselves), so the bootstrap refits cheaply under a fixed design: with {@code P = (W'W +
 * Lambda)^{-1}}, the refit on pseudo-responses {@code W b + e*} is {@code b + P W' e*}.
 *
 * <p>For a process with a state, the fit also holds the predicted state of the error {@code u} at
 * {@link #endRow()} ({@link #forecastState}), its covariance, and the predicted states of the
 * regressor columns there, so that a refit {@code b*} moves the state by {@code -sum_k (b*_k -
 * b_k) A_k} ({@link #forecastStateFor}). Immutable; arrays are never exposed.
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
  private final NoiseProcess process;
  private final double[] response;
  private final double[] forecastState;
  private final double[][] forecastCovariance;
  private final double[][] columnStates;
  private final double[][] rowStates;
  private final boolean[] included;
  private final double[] penalty;
  /** See {@link #residualCentre()}. */
  private final double residualCentre;
  /** See {@link #drawCoefficients}. */
  private volatile CoefficientPosterior posterior;

  FittedEquation(
      EquationLayout layout,
      double[] coefficients,
      double[][] design,
      double[][] inverseGram,
      double[] residuals,
      int firstRow,
      double sigma,
      double rSquared) {
    this(
        layout,
        coefficients,
        design,
        inverseGram,
        residuals,
        firstRow,
        sigma,
        rSquared,
        NoiseProcess.staticNoise(),
        null,
        new double[0],
        new double[0][0],
        new double[coefficients.length][0],
        null,
        null,
        null);
  }

  /**
   * @param response the whitened response per fit row, or {@code null} for the static process
   *     (the observed values, read from the data by whoever needs them)
   * @param forecastState predicted state of {@code u} at {@code endRow}
   * @param forecastCovariance its covariance, in units of {@code sigma^2}
   * @param columnStates {@code [k]}: predicted state of regressor column {@code k} at {@code
   *     endRow}
   * @param rowStates {@code [i][column * m + s]}: the predicted states of the response (column 0)
   *     and the regressors (column k + 1) before fit row {@code i}, or {@code null}
   * @param included which terms enter, or {@code null} for all
   * @param penalty per term, the prior precision (times {@code sigma^2}) added to the diagonal of
   *     the whitened {@code W'W} ({@link DenseShrinkage}), or {@code null}
   */
  FittedEquation(
      EquationLayout layout,
      double[] coefficients,
      double[][] design,
      double[][] inverseGram,
      double[] residuals,
      int firstRow,
      double sigma,
      double rSquared,
      NoiseProcess process,
      double[] response,
      double[] forecastState,
      double[][] forecastCovariance,
      double[][] columnStates,
      double[][] rowStates,
      boolean[] included,
      double[] penalty) {
    this.layout = layout;
    this.coefficients = coefficients;
    this.design = design;
    this.inverseGram = inverseGram;
    this.residuals = residuals;
    this.firstRow = firstRow;
    this.sigma = sigma;
    this.rSquared = rSquared;
    this.process = process;
    this.response = response;
    this.forecastState = forecastState;
    this.forecastCovariance = forecastCovariance;
    this.columnStates = columnStates;
    this.rowStates = rowStates;
    this.included = included;
    this.penalty = penalty;
    double mean = 0;
    if (!process.isStatic()) {
      for (double r : residuals) {
        mean += r;
      }
      mean /= Math.max(1, residuals.length);
    }
    this.residualCentre = mean;
  }

  /**
   * Whether term {@code k} enters the fit: always, unless the terms were selected ({@code
   * SubsetSearch}), in which case a term left out has coefficient 0 and no refit moves it.
   */
  public boolean includes(int k) {
    return included == null || included[k];
  }

  /** Whether the coefficients are shrunk by a prior ({@link DenseShrinkage}). */
  public boolean shrunk() {
    return penalty != null;
  }

  /** Number of terms that enter the fit. */
  public int includedTerms() {
    if (included == null) {
      return coefficients.length;
    }
    int q = 0;
    for (boolean b : included) {
      q += b ? 1 : 0;
    }
    return q;
  }

  /** The error process; {@link NoiseProcess#staticNoise()} for an ordinary regression. */
  public NoiseProcess process() {
    return process;
  }

  /**
   * The whitened response of fit row {@code firstRow + i}, or {@code observed} at that row for the
   * static process (whose response is the data).
   */
  public double response(int i, double[] observed) {
    return response == null ? observed[firstRow + i] : response[i];
  }

  /** The predicted state of the error at {@link #endRow()} (empty for the static process). */
  public double[] forecastState() {
    return forecastState.clone();
  }

  /** Its covariance, in units of {@code sigma^2}. */
  public double[][] forecastCovariance() {
    double[][] out = new double[forecastCovariance.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = forecastCovariance[i].clone();
    }
    return out;
  }

  /**
   * The predicted state of the error at {@link #endRow()} had the coefficients been {@code b}:
   * {@code a - sum_k (b_k - coefficient_k) A_k} into {@code out}.
   */
  public void forecastStateFor(double[] b, double[] out) {
    System.arraycopy(forecastState, 0, out, 0, forecastState.length);
    for (int k = 0; k < b.length; k++) {
      double d = b[k] - coefficients[k];
      double[] ak = columnStates[k];
      for (int s = 0; s < out.length; s++) {
        out[s] -= d * ak[s];
      }
    }
  }

  /**
   * The predicted state of the error before fit row {@code firstRow + i} with coefficients {@code
   * b} (the response's state minus the regressors' states times {@code b}), into {@code out}.
   */
  public void originState(int i, double[] b, double[] out) {
    int m = out.length;
    if (m == 0) {
      return;
    }
    double[] row = rowStates[i];
    for (int s = 0; s < m; s++) {
      double v = row[s];
      for (int k = 0; k < b.length; k++) {
        v -= b[k] * row[(k + 1) * m + s];
      }
      out[s] = v;
    }
  }

  /** The penalty the fit added to term {@code k}'s diagonal of {@code W'W}: 0 unless shrunk. */
  public double penalty(int k) {
    return penalty == null ? 0 : penalty[k];
  }

  /** Terms spent: {@link #includedTerms()}, or if shrunk {@code tr} of the hat matrix. */
  public double effectiveTerms() {
    double q = includedTerms();
    if (penalty != null) {
      for (int k = 0; k < penalty.length; k++) {
        q -= inverseGram[k][k] * penalty[k];
      }
    }
    return q;
  }

  /** Degrees of freedom of the residual variance, {@code n - p} ({@link #effectiveTerms()}). */
  public int degreesOfFreedom() {
    return (int) Math.max(1, Math.round(residuals.length - effectiveTerms()));
  }

  public EquationLayout layout() {
    return layout;
  }

  public double[] coefficients() {
    return coefficients.clone();
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

  /**
   * The mean the bootstrap takes off the residuals it resamples, for the refit and for the future
   * noise alike: 0 for an ordinary regression; for a state-space error the mean of the
   * standardised innovations, which no column of the whitened design forces to 0 and which,
   * resampled uncentred, would drift every simulated path's level by {@code K m} per step.
   */
  public double residualCentre() {
    return residualCentre;
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
    return Math.sqrt(n / Math.max(1, n - effectiveTerms()));
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
      double ei = inflate * (residuals[index[offset + i] + shift] - residualCentre);
      double[] row = design[i];
      for (int k = 0; k < p; k++) {
        xte[k] += row[k] * ei;
      }
    }
    solveShift(xte, out);
  }

  /**
   * A draw from the coefficients' posterior given this component's process and innovation sd
   * {@code s}, {@link CoefficientPosterior#draw}; {@link
   * org.causalimpact.monitor.uncertainty.ResidualBootstrap} says why this and not a refit.
   */
  public void drawCoefficients(double s, RandomGenerator rng, double[] out) {
    CoefficientPosterior f = posterior;
    if (f == null) {
      // computed once, on first use (a benign race: every thread computes the same factor)
      f = new CoefficientPosterior(inverseGram, this::includes);
      posterior = f;
    }
    f.draw(coefficients, s, rng, out);
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
        layout.nodeName(), layout.termNames(), c, sigma, rSquared, residuals.length, null);
  }
}
