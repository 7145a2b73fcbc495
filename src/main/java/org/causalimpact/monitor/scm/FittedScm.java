package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.causalimpact.monitor.graph.CausalGraph;

/**
 * A structural causal model fitted on one window: one {@link FittedEquation} per node, in graph
 * index order. Immutable.
 */
public final class FittedScm {
  private final CausalGraph graph;
  private final List<FittedEquation> equations;
  private final int windowStart;
  private final int windowEnd;

  FittedScm(CausalGraph graph, List<FittedEquation> equations, int windowStart, int windowEnd) {
    this.graph = graph;
    this.equations = Collections.unmodifiableList(new ArrayList<>(equations));
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  public CausalGraph graph() {
    return graph;
  }

  /** The equation of the node with graph index {@code node}. */
  public FittedEquation equation(int node) {
    return equations.get(node);
  }

  public FittedEquation equation(String node) {
    return equations.get(graph.indexOf(node));
  }

  public List<FittedEquation> equations() {
    return equations;
  }

  /** First row of the fit window. */
  public int windowStart() {
    return windowStart;
  }

  /** Row after the last row of the fit window. */
  public int windowEnd() {
    return windowEnd;
  }

  public List<EquationSummary> summaries() {
    return equations.stream().map(FittedEquation::summary).toList();
  }
}
