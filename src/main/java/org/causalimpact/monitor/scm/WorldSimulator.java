package org.causalimpact.monitor.scm;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.CausalGraph;

/**
 * Simulates the counterfactual and the interventional world of an intervention over rows {@code
 * [start, end)}, in topological order, as DESIGN.md defines them:
 *
 * <ul>
 *   <li>nodes outside the simulated set {@code D} (the intervened nodes, their descendants and the
 *       outcomes) keep their observed values in both worlds;
 *   <li>counterfactual: every node of {@code D} follows its fitted equation (plus noise if given),
 *       reading simulated values of {@code D} and observed values of the rest, and simulated own
 *       lags once they reach past {@code start};
 *   <li>interventional: an intervened node takes its do-spec applied to its counterfactual (natural)
 *       value, its equation and parents are cut (graph surgery); the other nodes of {@code D} follow
 *       their equations with the same noise. From the action end row on (the intervention is over,
 *       its effect may persist through lags) the intervened nodes follow their equations again.
 * </ul>
 *
 * Instances are immutable and thread-safe; {@link #run} writes only to the arrays passed in.
 */
public final class WorldSimulator {
  private final EquationLayout[] layouts;
  private final double[][] observed;
  private final int[] simulated;
  private final int[] position;
  private final DoSpec[] actions;
  private final int actionEnd;
  private final int[][] termNode;
  private final int[][] termLag;

  /**
   * @param graph the causal graph
   * @param layouts equation layout per graph index
   * @param observed observed values per graph index (not copied; must not change)
   * @param simulatedNodes the set D, any order
   * @param doSpecs do-spec per intervened node (each must be in D), holding on every row
   */
  public WorldSimulator(
      CausalGraph graph,
      List<EquationLayout> layouts,
      double[][] observed,
      Collection<String> simulatedNodes,
      Map<String, DoSpec> doSpecs) {
    this(graph, layouts, observed, simulatedNodes, doSpecs, Integer.MAX_VALUE);
  }

  /**
   * @param graph the causal graph
   * @param layouts equation layout per graph index
   * @param observed observed values per graph index (not copied; must not change)
   * @param simulatedNodes the set D, any order
   * @param doSpecs do-spec per intervened node (each must be in D)
   * @param actionEnd first row on which the do-specs no longer hold (absolute row index)
   */
  public WorldSimulator(
      CausalGraph graph,
      List<EquationLayout> layouts,
      double[][] observed,
      Collection<String> simulatedNodes,
      Map<String, DoSpec> doSpecs,
      int actionEnd) {
    this.actionEnd = actionEnd;
    this.layouts = layouts.toArray(new EquationLayout[0]);
    this.observed = observed;
    List<String> order =
        graph.topologicalOrder().stream().filter(simulatedNodes::contains).toList();
    this.simulated = order.stream().mapToInt(graph::indexOf).toArray();
    this.position = new int[graph.size()];
    java.util.Arrays.fill(position, -1);
    for (int i = 0; i < simulated.length; i++) {
      position[simulated[i]] = i;
    }
    this.termNode = new int[this.layouts.length][];
    this.termLag = new int[this.layouts.length][];
    for (int j = 0; j < this.layouts.length; j++) {
      EquationLayout l = this.layouts[j];
      termNode[j] = new int[l.size()];
      termLag[j] = new int[l.size()];
      for (int k = 0; k < l.size(); k++) {
        termNode[j][k] = l.sourceNode(k);
        termLag[j][k] = l.sourceLag(k);
      }
    }
    this.actions = new DoSpec[graph.size()];
    doSpecs.forEach(
        (node, spec) -> {
          int idx = graph.indexOf(node);
          if (position[idx] < 0) {
            throw new IllegalArgumentException("intervened node '" + node + "' is not simulated");
          }
          actions[idx] = spec;
        });
  }

  private WorldSimulator(WorldSimulator other, int actionEnd) {
    this.layouts = other.layouts;
    this.observed = other.observed;
    this.simulated = other.simulated;
    this.position = other.position;
    this.actions = other.actions;
    this.actionEnd = actionEnd;
    this.termNode = other.termNode;
    this.termLag = other.termLag;
  }

  /**
   * This simulator with the do-specs lifted from row {@code actionEnd} on (absolute row index;
   * {@code Integer.MAX_VALUE} for never): the action end of an intervention that is learned while it
   * runs.
   */
  public WorldSimulator withActionEnd(int actionEnd) {
    return new WorldSimulator(this, actionEnd);
  }

  /** The first row on which the do-specs no longer hold. */
  public int actionEnd() {
    return actionEnd;
  }

  /**
   * Rows of each world that {@link #stepPaths} reads: the current row and the largest lag of any
   * simulated node's equation.
   */
  public int historyLength() {
    int lag = 0;
    for (int node : simulated) {
      lag = Math.max(lag, layouts[node].maxLag());
    }
    return lag + 1;
  }

  /** Graph indexes of the simulated nodes in topological order; index {@code i} is position i. */
  public int[] simulatedNodes() {
    return simulated.clone();
  }

  /** Position of graph node {@code node} among the simulated ones, or -1. */
  public int positionOf(int node) {
    return position[node];
  }

  public int simulatedCount() {
    return simulated.length;
  }

  /**
   * Runs both worlds.
   *
   * @param coefficients coefficients per graph index (only simulated nodes are read)
   * @param start first simulated row
   * @param end row after the last simulated row
   * @param noise {@code noise[pos][h]} added to the equation of simulated node {@code pos} at row
   *     {@code start + h}, or {@code null} for the noise-free mean path
   * @param counterfactual receives {@code [pos][h]}
   * @param interventional receives {@code [pos][h]}, or {@code null} to skip that world
   */
  public void run(
      double[][] coefficients,
      int start,
      int end,
      double[][] noise,
      double[][] counterfactual,
      double[][] interventional) {
    for (int t = start; t < end; t++) {
      int h = t - start;
      for (int i = 0; i < simulated.length; i++) {
        int node = simulated[i];
        double v = predict(node, coefficients[node], counterfactual, start, t);
        counterfactual[i][h] = noise == null ? v : v + noise[i][h];
      }
    }
    if (interventional == null) {
      return;
    }
    for (int t = start; t < end; t++) {
      int h = t - start;
      for (int i = 0; i < simulated.length; i++) {
        int node = simulated[i];
        DoSpec spec = t < actionEnd ? actions[node] : null;
        if (spec != null) {
          interventional[i][h] = spec.apply(counterfactual[i][h], observed[node][t]);
        } else {
          double v = predict(node, coefficients[node], interventional, start, t);
          interventional[i][h] = noise == null ? v : v + noise[i][h];
        }
      }
    }
  }

  /**
   * Row {@code t} of both worlds for many paths at once, each with its own coefficients and noise,
   * for a caller that advances the worlds row by row and keeps only their last rows. Path {@code b}
   * gets, bit for bit, the row {@link #run} gives with coefficients {@code coefficients[pos][k][b]}
   * and noise {@code noise[pos][b]} on that row (the same terms summed in the same order), provided
   * rows {@code start..t-1} were stepped before. Observed values are read on rows up to {@code t}
   * only, so the observed arrays may be filled row by row just before each step.
   *
   * <p>The worlds are ring buffers {@code [pos][slot][path]}: row {@code r >= start} is in slot
   * {@code (r - start) % window}, {@code window = counterfactual[0].length >= }{@link
   * #historyLength}. Writes only slot {@code (t - start) % window} of the arrays passed in.
   *
   * @param coefficients {@code [pos][k][path]}: coefficient {@code k} of simulated node {@code pos}
   * @param start first simulated row
   * @param t the row to simulate, {@code >= start}
   * @param noise {@code [pos][path]} added to each equation on row {@code t}, or {@code null}
   * @param counterfactual the counterfactual world's ring buffer
   * @param interventional the interventional world's ring buffer, or {@code null} to skip it
   */
  public void stepPaths(
      double[][][] coefficients,
      int start,
      int t,
      double[][] noise,
      double[][][] counterfactual,
      double[][][] interventional) {
    int window = counterfactual[0].length;
    int slot = (t - start) % window;
    for (int i = 0; i < simulated.length; i++) {
      double[] out = counterfactual[i][slot];
      predictPaths(simulated[i], coefficients[i], counterfactual, start, t, out);
      addNoise(noise == null ? null : noise[i], out);
    }
    if (interventional == null) {
      return;
    }
    for (int i = 0; i < simulated.length; i++) {
      int node = simulated[i];
      DoSpec spec = t < actionEnd ? actions[node] : null;
      double[] out = interventional[i][slot];
      if (spec != null) {
        double[] natural = counterfactual[i][slot];
        double obs = observed[node][t];
        for (int b = 0; b < out.length; b++) {
          out[b] = spec.apply(natural[b], obs);
        }
      } else {
        predictPaths(node, coefficients[i], interventional, start, t, out);
        addNoise(noise == null ? null : noise[i], out);
      }
    }
  }

  private static void addNoise(double[] noise, double[] out) {
    if (noise != null) {
      for (int b = 0; b < out.length; b++) {
        out[b] += noise[b];
      }
    }
  }

  /** {@link #predict} for every path of a ring-buffered world at once, into {@code out}. */
  private void predictPaths(
      int node, double[][] coef, double[][][] world, int start, int t, double[] out) {
    int[] nodes = termNode[node];
    int[] lags = termLag[node];
    EquationLayout layout = layouts[node];
    int window = world[0].length;
    for (int k = 0; k < coef.length; k++) {
      double[] c = coef[k];
      int src = nodes[k];
      int at = t - lags[k];
      int pos = src >= 0 ? position[src] : -1;
      if (pos >= 0 && at >= start) {
        addTerm(out, c, world[pos][(at - start) % window], k == 0);
      } else {
        addTerm(out, c, src >= 0 ? observed[src][at] : layout.deterministic(k, t), k == 0);
      }
    }
  }

  /**
   * {@code out += c x} per path; the first term is added to {@code 0.0}, as {@link #predict}'s sum
   * starts (which turns a product {@code -0.0} into {@code 0.0}).
   */
  private static void addTerm(double[] out, double[] c, double[] x, boolean first) {
    if (first) {
      for (int b = 0; b < out.length; b++) {
        out[b] = 0.0 + c[b] * x[b];
      }
    } else {
      for (int b = 0; b < out.length; b++) {
        out[b] += c[b] * x[b];
      }
    }
  }

  private static void addTerm(double[] out, double[] c, double x, boolean first) {
    if (first) {
      for (int b = 0; b < out.length; b++) {
        out[b] = 0.0 + c[b] * x;
      }
    } else {
      for (int b = 0; b < out.length; b++) {
        out[b] += c[b] * x;
      }
    }
  }

  /**
   * The equation of {@code node} at row {@code t} in a world whose simulated values from {@code
   * start} on are in {@code world[pos][t - start]} (the same sum as {@link EquationLayout#predict},
   * without the indirection, because this is the bootstrap's inner loop).
   */
  private double predict(int node, double[] coef, double[][] world, int start, int t) {
    int[] nodes = termNode[node];
    int[] lags = termLag[node];
    EquationLayout layout = layouts[node];
    double sum = 0;
    for (int k = 0; k < coef.length; k++) {
      int src = nodes[k];
      double x;
      if (src >= 0) {
        int at = t - lags[k];
        int pos = position[src];
        x = pos >= 0 && at >= start ? world[pos][at - start] : observed[src][at];
      } else {
        x = layout.deterministic(k, t);
      }
      sum += coef[k] * x;
    }
    return sum;
  }
}
