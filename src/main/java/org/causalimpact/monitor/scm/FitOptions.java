package org.causalimpact.monitor.scm;

/**
 * How structural equations are fitted.
 *
 * @param ridge ridge penalty {@code lambda >= 0} on all coefficients except the intercept, applied
 *     to standardised regressors; {@code 0} is ordinary least squares
 */
public record FitOptions(double ridge) {
  public FitOptions {
    if (!(ridge >= 0) || Double.isInfinite(ridge)) {
      throw new IllegalArgumentException("ridge must be a finite number >= 0, got " + ridge);
    }
  }

  public static FitOptions ols() {
    return new FitOptions(0);
  }
}
