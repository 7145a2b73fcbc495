package org.causalimpact.monitor.scm;

import java.util.List;

/**
 * A fitted structural equation as people read it.
 *
 * @param node the node
 * @param terms term names, e.g. {@code (intercept)}, {@code ad_spend[t-1]}, {@code visits[t-1]},
 *     {@code sin(2pi*1*t/7)}, {@code trend}
 * @param coefficients estimates in term order
 * @param sigma residual standard deviation {@code sqrt(RSS / (n - p))}
 * @param rSquared coefficient of determination on the fit window
 * @param observations rows used in the fit
 */
public record EquationSummary(
    String node,
    List<String> terms,
    List<Double> coefficients,
    double sigma,
    double rSquared,
    int observations) {
  public EquationSummary {
    terms = List.copyOf(terms);
    coefficients = List.copyOf(coefficients);
  }
}
