package org.causalimpact.monitor.scm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to draw data from a monitor's SCM: the true equation of every node and the length of the
 * series.
 *
 * @param rows number of rows to draw, including warm-up-free history
 * @param equations the true equation of every node of the graph
 */
public record SimulationSpec(int rows, Map<String, TrueEquation> equations) {
  public SimulationSpec {
    if (rows < 2) {
      throw new IllegalArgumentException("simulation rows must be >= 2, got " + rows);
    }
    equations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(equations));
  }
}
