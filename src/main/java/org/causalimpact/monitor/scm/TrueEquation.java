package org.causalimpact.monitor.scm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's structural equation with known coefficients, used to simulate data whose causal effects
 * are known. Terms match {@link org.causalimpact.monitor.graph.NodeDefinition}: {@code parents}
 * holds, per parent, the coefficients of lags {@code 0..L}; {@code ar} the own-lag coefficients
 * {@code phi_1..phi_P}; {@code seasonal} the pairs {@code a_1, b_1, a_2, b_2, ...} of the sine and
 * cosine terms; {@code trend} the slope per step; {@code noise} the standard deviation of the
 * Gaussian error.
 */
public record TrueEquation(
    double intercept,
    Map<String, List<Double>> parents,
    List<Double> ar,
    List<Double> seasonal,
    double trend,
    double noise) {
  public TrueEquation {
    parents = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parents));
    ar = List.copyOf(ar);
    seasonal = List.copyOf(seasonal);
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("noise sd must be a finite number >= 0, got " + noise);
    }
  }
}
