package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.causalimpact.monitor.graph.CausalGraph;

/**
 * A structural causal model fitted on one window: one {@link EquationPosterior} per node, in graph
 * index order, whose best component is the node's {@link #equation}. Immutable.
 */
public final class FittedScm {
  private final CausalGraph graph;
  private final List<FittedEquation> equations;
  private final List<EquationPosterior> posteriors;
  private final int windowStart;
  private final int windowEnd;

  FittedScm(
      CausalGraph graph, List<EquationPosterior> posteriors, int windowStart, int windowEnd) {
    this.graph = graph;
    this.posteriors = List.copyOf(posteriors);
    List<FittedEquation> best = new ArrayList<>();
    for (EquationPosterior p : posteriors) {
      best.add(p.best());
    }
    this.equations = Collections.unmodifiableList(best);
    this.windowStart = windowStart;
    this.windowEnd = windowEnd;
  }

  /** The posterior of the equation of the node with graph index {@code node}. */
  public EquationPosterior posterior(int node) {
    return posteriors.get(node);
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
    List<EquationSummary> out = new ArrayList<>();
    for (EquationPosterior p : posteriors) {
      EquationSummary s = p.best().summary();
      // parents selected: some model leaves out a parent's term; a trend that a level: auto
      // equation may take is reported with its inclusion probability when the models differ on
      // it (an equation no model gives the trend is fitted without it: StateSpaceFitter)
      boolean parentsSelected = false;
      boolean trendSelected = false;
      EquationLayout layout = p.best().layout();
      for (int c = 0; c < p.size(); c++) {
        for (int k = 0; k < layout.size(); k++) {
          boolean in = p.component(c).includes(k);
          parentsSelected |= !in && !layout.isTrend(k);
          trendSelected |= layout.isTrend(k) && in != p.best().includes(k);
        }
      }
      double shrunk = 0;
      for (int c = 0; c < p.size(); c++) {
        shrunk += p.component(c).shrunk() ? p.weight(c) : 0;
      }
      List<Double> inclusion = null;
      List<Double> coefficients = s.coefficients();
      if (parentsSelected || trendSelected) {
        // which terms carry the fit: each term's inclusion probability, and where the parents
        // were selected their coefficients averaged over the models (0 where a model leaves
        // one out); otherwise the most probable model's, which the mean path follows
        inclusion = new ArrayList<>();
        List<Double> averaged = new ArrayList<>();
        for (int k = 0; k < s.terms().size(); k++) {
          double w = 0;
          double b = 0;
          for (int c = 0; c < p.size(); c++) {
            w += p.component(c).includes(k) ? p.weight(c) : 0;
            b += p.weight(c) * p.component(c).coefficient(k);
          }
          inclusion.add(w);
          averaged.add(b);
        }
        coefficients = parentsSelected ? averaged : coefficients;
      }
      out.add(
          new EquationSummary(
              s.node(),
              s.terms(),
              coefficients,
              s.sigma(),
              s.rSquared(),
              s.observations(),
              p.best().process().isStatic() ? null : errorSummary(p),
              inclusion,
              shrunk > 0 ? shrunk : null));
    }
    return out;
  }

  private static EquationSummary.ErrorSummary errorSummary(EquationPosterior p) {
    double level = 0;
    double slope = 0;
    double rho = 0;
    double[][] sds = new double[p.size()][];
    for (int c = 0; c < p.size(); c++) {
      FittedEquation e = p.component(c);
      NoiseProcess n = e.process();
      double w = p.weight(c);
      double sd = e.sigma() * Math.sqrt(n.levelVariance());
      sds[c] = new double[] {sd, w};
      level += w * sd;
      slope += w * e.sigma() * Math.sqrt(n.slopeVariance());
      rho += w * n.ar();
    }
    java.util.Arrays.sort(sds, (a, b) -> Double.compare(a[0], b[0]));
    return new EquationSummary.ErrorSummary(
        p.best().process().hasSlope() ? "local linear trend" : "local level",
        level,
        weightedQuantile(sds, 0.05),
        weightedQuantile(sds, 0.95),
        slope,
        rho,
        p.size());
  }

  /** The smallest value whose cumulative weight reaches {@code q}, of sorted {value, weight}. */
  private static double weightedQuantile(double[][] sorted, double q) {
    double cumulative = 0;
    for (double[] vw : sorted) {
      cumulative += vw[1];
      if (cumulative >= q - 1e-12) {
        return vw[0];
      }
    }
    return sorted[sorted.length - 1][0];
  }
}
