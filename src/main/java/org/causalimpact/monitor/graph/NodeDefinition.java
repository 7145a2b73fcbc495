package org.causalimpact.monitor.graph;

import java.util.List;
import java.util.Objects;

/**
 * One node of a monitor's causal graph and the terms of its structural equation.
 *
 * @param name the series name
 * @param parents direct causes with their lags
 * @param arOrder number of own lags {@code P} in the equation
 * @param seasonality Fourier seasonality, or {@code null} for none
 * @param trend whether the equation has a linear trend {@code delta * t}
 * @param aggregation how points are aggregated into a grid step
 * @param level the stochastic level of the equation's error ({@link Level})
 */
public record NodeDefinition(
    String name,
    List<Parent> parents,
    int arOrder,
    Seasonality seasonality,
    boolean trend,
    Aggregation aggregation,
    Level level) {

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
    Objects.requireNonNull(level, "level");
  }

  /** A node whose equation has no stochastic level ({@link Level#NONE}). */
  public NodeDefinition(
      String name,
      List<Parent> parents,
      int arOrder,
      Seasonality seasonality,
      boolean trend,
      Aggregation aggregation) {
    this(name, parents, arOrder, seasonality, trend, aggregation, Level.NONE);
  }

  /** This node with level {@code l}. */
  public NodeDefinition withLevel(Level l) {
    return new NodeDefinition(name, parents, arOrder, seasonality, trend, aggregation, l);
  }

  /**
   * Whether the equation has a trend term: asked for, or implied by a {@link Level#TREND} level
   * (whose initial slope is that term's coefficient).
   */
  public boolean hasTrendTerm() {
    return trend || level == Level.TREND;
  }

  /** A root node with no parents, no lags, no seasonality, no trend, aggregated by mean. */
  public static NodeDefinition root(String name) {
    return new NodeDefinition(name, List.of(), 0, null, false, Aggregation.MEAN);
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
