package org.causalimpact.monitor.scm;

import java.util.List;

/**
 * The fits of one equation under the error processes the data support, with their posterior
 * weights: the grid of {@link StateSpaceFitter} integrated over, so that the uncertainty of the
 * level's variance is carried into the intervals instead of plugging in one estimate. An ordinary
 * regression has one component of weight 1. Component 0 has the largest weight; it is the fit that
 * point predictions and the conformal calibration use. Immutable.
 *
 * @param components the fits, by decreasing weight
 * @param weights their posterior probabilities, summing to 1
 */
public record EquationPosterior(List<FittedEquation> components, double[] weights) {
  public EquationPosterior {
    components = List.copyOf(components);
    weights = weights.clone();
    if (components.isEmpty() || components.size() != weights.length) {
      throw new IllegalArgumentException(
          components.size() + " components for " + weights.length + " weights");
    }
  }

  /** The posterior of an equation fitted once. */
  public static EquationPosterior single(FittedEquation eq) {
    return new EquationPosterior(List.of(eq), new double[] {1.0});
  }

  /** The component with the largest weight. */
  public FittedEquation best() {
    return components.get(0);
  }

  public int size() {
    return components.size();
  }

  public FittedEquation component(int c) {
    return components.get(c);
  }

  public double weight(int c) {
    return weights[c];
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }
}
