package org.causalimpact.monitor.scm;

/**
 * How structural equations are fitted.
 *
 * @param ridge ridge penalty {@code lambda >= 0} on all coefficients except the intercept, applied
 *     to standardised regressors; {@code 0} is ordinary least squares
 * @param replaceOutliers whether a pre-period row that a simulated equation's fit cannot explain
 *     (an outlier: {@code impact.PrePeriodOutliers}) is replaced by the fit's one-step prediction
 *     before the model is fitted again; otherwise it is kept and only named in a note
 */
public record FitOptions(double ridge, boolean replaceOutliers) {
  public FitOptions {
    if (!(ridge >= 0) || Double.isInfinite(ridge)) {
      throw new IllegalArgumentException("ridge must be a finite number >= 0, got " + ridge);
    }
  }

  /** With outliers kept. */
  public FitOptions(double ridge) {
    this(ridge, false);
  }

  public static FitOptions ols() {
    return new FitOptions(0);
  }

  /** These options with outliers replaced or kept. */
  public FitOptions withReplaceOutliers(boolean replace) {
    return new FitOptions(ridge, replace);
  }
}
