package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;

/**
 * The terms of one node's structural equation and where each term's value comes from:
 *
 * <pre>
 *   V_j(t) = c_j + sum_{k in pa(j)} sum_{l=0..L_k} beta_jkl V_k(t-l) + sum_{l=1..P} phi_jl V_j(t-l)
 *            + sum_{h=1..H} (a_h sin(2 pi h t / S) + b_h cos(2 pi h t / S)) + delta_j (t - t0) / s
 * </pre>
 *
 * Term 0 is the intercept. A term either reads a node's value at a lag ({@link #sourceNode} &gt;=
 * 0) or is a deterministic function of the row index (intercept, harmonic, trend). The trend is
 * centred at {@code t0} and divided by {@code s} so that its column is of the same order as the
 * others. Immutable.
 */
public final class EquationLayout {
  private static final int INTERCEPT = 0;
  private static final int SIN = 1;
  private static final int COS = 2;
  private static final int TREND = 3;

  private final int node;
  private final String nodeName;
  private final int[] sourceNode;
  private final int[] sourceLag;
  private final int[] kind;
  private final double[] frequency;
  private final List<String> names;
  private final int maxLag;
  private final int ownLags;
  private final double trendOrigin;
  private final double trendScale;

  private EquationLayout(
      int node,
      String nodeName,
      List<int[]> sources,
      List<Integer> kinds,
      List<Double> freqs,
      List<String> names,
      int maxLag,
      int ownLags,
      double trendOrigin,
      double trendScale) {
    this.node = node;
    this.nodeName = nodeName;
    int p = sources.size();
    this.sourceNode = new int[p];
    this.sourceLag = new int[p];
    this.kind = new int[p];
    this.frequency = new double[p];
    for (int k = 0; k < p; k++) {
      sourceNode[k] = sources.get(k)[0];
      sourceLag[k] = sources.get(k)[1];
      kind[k] = kinds.get(k);
      frequency[k] = freqs.get(k);
    }
    this.names = List.copyOf(names);
    this.maxLag = maxLag;
    this.ownLags = ownLags;
    this.trendOrigin = trendOrigin;
    this.trendScale = trendScale;
  }

  /**
   * The layout of {@code node}'s equation.
   *
   * @param trendOrigin row where the trend term is zero (the start of the fit window)
   * @param trendScale rows per unit of the trend term (the length of the fit window)
   */
  public static EquationLayout of(
      CausalGraph graph, String node, double trendOrigin, double trendScale) {
    return of(graph, node, trendOrigin, trendScale, false);
  }

  /**
   * As {@link #of(CausalGraph, String, double, double)}; with {@code addTrend}, a trend term (the
   * last) even where the node asks for none: the term a {@link
   * org.causalimpact.monitor.graph.Level#AUTO} level's equation may select.
   */
  public static EquationLayout of(
      CausalGraph graph, String node, double trendOrigin, double trendScale, boolean addTrend) {
    NodeDefinition def = graph.node(node);
    int self = graph.indexOf(node);
    List<int[]> sources = new ArrayList<>();
    List<Integer> kinds = new ArrayList<>();
    List<Double> freqs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    sources.add(new int[] {-1, 0});
    kinds.add(INTERCEPT);
    freqs.add(0.0);
    names.add("(intercept)");
    for (Parent p : def.parents()) {
      for (int l = 0; l <= p.maxLag(); l++) {
        sources.add(new int[] {graph.indexOf(p.node()), l});
        kinds.add(-1);
        freqs.add(0.0);
        names.add(l == 0 ? p.node() + "[t]" : p.node() + "[t-" + l + "]");
      }
    }
    for (int l = 1; l <= def.arOrder(); l++) {
      sources.add(new int[] {self, l});
      kinds.add(-1);
      freqs.add(0.0);
      names.add(node + "[t-" + l + "]");
    }
    Seasonality s = def.seasonality();
    if (s != null) {
      for (int h = 1; h <= s.harmonics(); h++) {
        double f = 2 * Math.PI * h / s.period();
        String per = fmt(s.period());
        sources.add(new int[] {-1, 0});
        kinds.add(SIN);
        freqs.add(f);
        names.add("sin(2pi*" + h + "*t/" + per + ")");
        sources.add(new int[] {-1, 0});
        kinds.add(COS);
        freqs.add(f);
        names.add("cos(2pi*" + h + "*t/" + per + ")");
      }
    }
    if (def.hasTrendTerm() || addTrend) {
      sources.add(new int[] {-1, 0});
      kinds.add(TREND);
      freqs.add(0.0);
      names.add("trend");
    }
    return new EquationLayout(
        self,
        node,
        sources,
        kinds,
        freqs,
        names,
        def.maxLag(),
        def.arOrder(),
        trendOrigin,
        Math.max(1.0, trendScale));
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%g", v);
  }

  /** Graph index of the node this equation determines. */
  public int node() {
    return node;
  }

  public String nodeName() {
    return nodeName;
  }

  /** Number of coefficients. */
  public int size() {
    return sourceNode.length;
  }

  public List<String> termNames() {
    return names;
  }

  /** Rows of history the equation reads before the current one. */
  public int maxLag() {
    return maxLag;
  }

  public int ownLags() {
    return ownLags;
  }

  /** Graph index of the node term {@code k} reads, or -1 for a deterministic term. */
  public int sourceNode(int k) {
    return sourceNode[k];
  }

  public int sourceLag(int k) {
    return sourceLag[k];
  }

  /** Whether term {@code k} is the linear trend. */
  public boolean isTrend(int k) {
    return kind[k] == TREND;
  }

  /** Whether term {@code k} is an own lag of the node. */
  public boolean isOwnLag(int k) {
    return sourceNode[k] == node && sourceLag[k] > 0;
  }

  /** The value of deterministic term {@code k} at row {@code t}. */
  public double deterministic(int k, int t) {
    return switch (kind[k]) {
      case INTERCEPT -> 1.0;
      case SIN -> Math.sin(frequency[k] * t);
      case COS -> Math.cos(frequency[k] * t);
      case TREND -> (t - trendOrigin) / trendScale;
      default -> throw new IllegalStateException("term " + k + " is not deterministic");
    };
  }

  /** Fills {@code row} with the regressors at row {@code t}, reading node values from {@code v}. */
  public void regressors(NodeValues v, int t, double[] row) {
    for (int k = 0; k < row.length; k++) {
      int src = sourceNode[k];
      row[k] = src >= 0 ? v.value(src, t - sourceLag[k]) : deterministic(k, t);
    }
  }

  /** {@code sum_k coefficients[k] * regressor_k(t)}. */
  public double predict(double[] coefficients, NodeValues v, int t) {
    double sum = 0;
    for (int k = 0; k < coefficients.length; k++) {
      int src = sourceNode[k];
      sum += coefficients[k] * (src >= 0 ? v.value(src, t - sourceLag[k]) : deterministic(k, t));
    }
    return sum;
  }

  /** Read access to node values by graph index and row. */
  @FunctionalInterface
  public interface NodeValues {
    double value(int node, int t);
  }
}
