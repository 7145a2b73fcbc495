package org.causalimpact.monitor.scm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's structural equation with known coefficients, used to simulate data whose causal effects
 * are known. Terms match {@link org.causalimpact.monitor.graph.NodeDefinition}: {@code parents}
 * holds, per parent, the coefficients of lags {@code 0..L}; {@code ar} the own-lag coefficients
 * {@code phi_1..phi_P}; {@code seasonal} the pairs {@code a_1, b_1, a_2, b_2, ...} of the sine and
 * cosine terms; {@code trend} the slope per step: the coefficient of the node's trend term, or, for
 * a node without one, a linear trend added to the error that the fitted model has no term for (a
 * metric that grows while the model assumes it does not); {@code noise} the standard deviation of the
 * Gaussian error's innovations; {@code noiseAr} the AR(1) coefficient of that error (0: white
 * noise); {@code level} the standard deviation per step of a random-walk level added to the
 * equation (0: none), a level that drifts.
 */
public record TrueEquation(
    double intercept,
    Map<String, List<Double>> parents,
    List<Double> ar,
    List<Double> seasonal,
    double trend,
    double noise,
    double level,
    double noiseAr) {
  public TrueEquation {
    parents = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parents));
    ar = List.copyOf(ar);
    seasonal = List.copyOf(seasonal);
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("noise sd must be a finite number >= 0, got " + noise);
    }
    checkLevel(level);
    checkNoiseAr(noiseAr);
  }

  /** An equation with white noise and no drifting level. */
  public TrueEquation(
      double intercept,
      Map<String, List<Double>> parents,
      List<Double> ar,
      List<Double> seasonal,
      double trend,
      double noise) {
    this(intercept, parents, ar, seasonal, trend, noise, 0, 0);
  }

  /** Checks a random-walk level's standard deviation per step. */
  public static double checkLevel(double level) {
    if (!(level >= 0) || Double.isInfinite(level)) {
      throw new IllegalArgumentException(
          "level (random-walk standard deviation per step) must be a finite number >= 0, got "
              + level);
    }
    return level;
  }

  /** Checks the AR(1) coefficient of the noise. */
  public static double checkNoiseAr(double noiseAr) {
    if (!(noiseAr > -1 && noiseAr < 1)) {
      throw new IllegalArgumentException(
          "noiseAr (AR(1) coefficient of the noise) must be in (-1, 1), got " + noiseAr);
    }
    return noiseAr;
  }
}
