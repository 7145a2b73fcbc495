package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;

/**
 * The graph used by the CausalImpact-compatible mode: every covariate is a root node and a parent
 * of the response. With {@code ar >= 1} the response has {@code ar} own lags and each covariate
 * enters at lags {@code 0..ar} (an ARDL(ar, ar) equation), which nests both a static regression
 * and a regression with AR(ar) errors. The response's error may carry a stochastic level ({@link
 * Level}): with {@link Level#AUTO}, the default of the command, the pre-period decides how much the
 * level drifts (possibly not at all) and how autocorrelated the noise is.
 */
public final class CausalImpactModel {
  private CausalImpactModel() {}

  /**
   * @param response the response column
   * @param covariates covariate columns, possibly empty
   * @param ar own-lag order of the response (and lag order of the covariates)
   * @param seasonality seasonality of the response, or {@code null}
   * @param trend whether the response has a linear trend
   */
  public static CausalGraph graph(
      String response, List<String> covariates, int ar, Seasonality seasonality, boolean trend) {
    return graph(response, covariates, ar, ar, seasonality, trend, Level.NONE);
  }

  /**
   * As {@link #graph(String, List, int, Seasonality, boolean)} with covariate lags {@code 0..lags}
   * and the response's level {@code level}.
   */
  public static CausalGraph graph(
      String response,
      List<String> covariates,
      int ar,
      int lags,
      Seasonality seasonality,
      boolean trend,
      Level level) {
    List<NodeDefinition> nodes = new ArrayList<>();
    List<Parent> parents = new ArrayList<>();
    for (String c : covariates) {
      nodes.add(NodeDefinition.root(c));
      parents.add(new Parent(c, lags));
    }
    nodes.add(
        new NodeDefinition(response, parents, ar, seasonality, trend, Aggregation.MEAN, level));
    return CausalGraph.of(nodes);
  }
}
