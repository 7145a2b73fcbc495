package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.graph.CausalGraph;

/**
 * Direct and total effects of a fitted linear SCM, and normalised contributions.
 *
 * <p>The long-run direct effect of parent {@code k} on node {@code j} is {@code sum_l beta_jkl / (1
 * - sum_l phi_jl)}: the lasting change of {@code j} per unit of lasting change of {@code k}. The
 * total effect of {@code x} on {@code y} is the sum over all directed paths {@code x -> ... -> y} of
 * the products of the direct effects along the path (the chain rule for linear SCMs; Wright's
 * path analysis). The contribution of ancestor {@code x_i} to {@code y} is {@code c_i = E|T_i (x_i
 * - E x_i)| / sum_j E|T_j (x_j - E x_j)|} over the ancestors of {@code y}, with {@code T} the total
 * effect and expectations over the fit window: the share of the variation of {@code y} that flows
 * from each cause.
 */
public final class Explanations {
  private Explanations() {}

  /** One {@link CausalEffect} per ordered pair (cause, outcome) joined by a directed path. */
  public static List<CausalEffect> effects(
      FittedScm model, double[][] observed, int from, int to) {
    CausalGraph graph = model.graph();
    int n = graph.size();
    double[][] direct = new double[n][n];
    for (int j = 0; j < n; j++) {
      FittedEquation eq = model.equation(j);
      double denominator = 1 - eq.ownLagSum();
      for (String parent : graph.parents(graph.nodes().get(j).name())) {
        int k = graph.indexOf(parent);
        direct[k][j] = eq.parentCoefficientSum(k) / denominator;
      }
    }
    double[][] total = new double[n][n];
    List<String> order = graph.topologicalOrder();
    for (String target : order) {
      int j = graph.indexOf(target);
      for (String parent : graph.parents(target)) {
        int k = graph.indexOf(parent);
        total[k][j] += direct[k][j];
        for (int i = 0; i < n; i++) {
          total[i][j] += total[i][k] * direct[k][j];
        }
      }
    }
    double[] spread = new double[n];
    for (int i = 0; i < n; i++) {
      double mean = 0;
      for (int t = from; t < to; t++) {
        mean += observed[i][t];
      }
      mean /= to - from;
      double mad = 0;
      for (int t = from; t < to; t++) {
        mad += Math.abs(observed[i][t] - mean);
      }
      spread[i] = mad / (to - from);
    }
    List<CausalEffect> out = new ArrayList<>();
    for (String target : order) {
      int j = graph.indexOf(target);
      List<String> causes = new ArrayList<>(graph.ancestors(List.of(target)));
      double sum = 0;
      for (String c : causes) {
        int i = graph.indexOf(c);
        sum += Math.abs(total[i][j]) * spread[i];
      }
      for (String c : causes) {
        int i = graph.indexOf(c);
        double share = sum > 0 ? Math.abs(total[i][j]) * spread[i] / sum : Double.NaN;
        out.add(new CausalEffect(c, target, direct[i][j], total[i][j], share));
      }
    }
    return out;
  }
}
