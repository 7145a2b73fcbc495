package org.causalimpact.monitor.graph;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of a monitor's causal graph and the terms of its structural equation.
 *
 * @param name the series name
 * @param parents direct causes with their lags
 * @param arOrder number of own lags {@code P} in the equation
 * @param seasonality Fourier seasonality, or {@code null} for none
 * @param trend whether the equation has a linear trend {@code delta * t}
 * @param aggregation how points are aggregated into a grid step
 */
public record NodeDefinition(
    String name,
    List<Parent> parents,
    int arOrder,
    Seasonality seasonality,
    boolean trend,
    Aggregation aggregation) {

  public NodeDefinition {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("node name must not be blank");
    }
    parents = List.copyOf(parents);
    if (arOrder < 0) {
      throw new IllegalArgumentException(
          "ar order of node '" + name + "' must be >= 0, got " + arOrder);
    }
    Objects.requireNonNull(aggregation, "aggregation");
  }

  /** A root node with no parents, no lags, no seasonality, no trend, aggregated by mean. */
  public static NodeDefinition root(String name) {
    return new NodeDefinition(name, List.of(), 0, null, false, Aggregation.MEAN);
  }

  public Optional<Seasonality> seasonalityIfAny() {
    return Optional.ofNullable(seasonality);
  }

  /** The largest lag of any term (own or parent), which is the number of warm-up rows needed. */
  public int maxLag() {
    int lag = arOrder;
    for (Parent p : parents) {
      lag = Math.max(lag, p.maxLag());
    }
    return lag;
  }
}
