package org.causalimpact.monitor.graph;

import java.util.Objects;

/**
 * An edge {@code node -> child} of the causal graph: the child's equation uses the parent at lags
 * {@code 0..maxLag} (contemporaneous value and {@code maxLag} earlier steps).
 */
public record Parent(String node, int maxLag) {
  public Parent {
    Objects.requireNonNull(node, "parent node");
    if (maxLag < 0) {
      throw new IllegalArgumentException("lag of parent '" + node + "' must be >= 0, got " + maxLag);
    }
  }
}
