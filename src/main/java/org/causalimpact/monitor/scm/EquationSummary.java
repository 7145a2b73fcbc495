package org.causalimpact.monitor.scm;

import java.util.List;

/**
 * A fitted structural equation as people read it.
 *
 * @param node the node
 * @param terms term names, e.g. {@code (intercept)}, {@code ad_spend[t-1]}, {@code visits[t-1]},
 *     {@code sin(2pi*1*t/7)}, {@code trend}
 * @param coefficients estimates in term order: those of the most probable component of the
 *     equation's posterior, or, when its terms were selected, averaged over the components
 * @param sigma residual standard deviation {@code sqrt(RSS / (n - p))}
 * @param rSquared coefficient of determination on the fit window
 * @param observations rows used in the fit
 * @param error the stochastic part of the equation's error, or {@code null} for white noise
 * @param inclusion per term, the posterior probability that it enters the equation, when its
 *     parent terms were selected ({@code SubsetSearch}); {@code null} when every term enters
 * @param shrunk the posterior probability that every parent term enters with its coefficient
 *     shrunk towards 0 ({@code DenseShrinkage}), the alternative to a subset of them; {@code null}
 *     when no such model is in the posterior
 */
public record EquationSummary(
    String node,
    List<String> terms,
    List<Double> coefficients,
    double sigma,
    double rSquared,
    int observations,
    ErrorSummary error,
    List<Double> inclusion,
    Double shrunk) {
  public EquationSummary {
    terms = List.copyOf(terms);
    coefficients = List.copyOf(coefficients);
    inclusion = inclusion == null ? null : List.copyOf(inclusion);
  }

  /** An equation whose terms all enter. */
  public EquationSummary(
      String node,
      List<String> terms,
      List<Double> coefficients,
      double sigma,
      double rSquared,
      int observations,
      ErrorSummary error) {
    this(node, terms, coefficients, sigma, rSquared, observations, error, null, null);
  }

  /**
   * What the pre-period says about an equation's stochastic level and noise, as posterior means
   * over the grid of {@code StateSpaceFitter}; {@code sigma} of the summary is the innovations'
   * standard deviation of the best component.
   *
   * @param model {@code local level} or {@code local linear trend}
   * @param levelSd standard deviation per step of the level's random walk, in the node's units
   *     (posterior mean)
   * @param levelSdLow its 5% posterior quantile
   * @param levelSdHigh its 95% posterior quantile
   * @param slopeSd standard deviation per step of the slope's random walk (0 without a trend)
   * @param noiseAr AR(1) coefficient of the noise
   * @param components grid points kept in the posterior
   */
  public record ErrorSummary(
      String model,
      double levelSd,
      double levelSdLow,
      double levelSdHigh,
      double slopeSd,
      double noiseAr,
      int components) {}
}
