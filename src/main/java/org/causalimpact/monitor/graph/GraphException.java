package org.causalimpact.monitor.graph;

import org.causalimpact.monitor.InputException;

/** A causal graph that cannot be used: a cycle, an unknown parent, a duplicate node. */
public final class GraphException extends InputException {
  private static final long serialVersionUID = 1L;

  public GraphException(String message) {
    super(message);
  }
}
