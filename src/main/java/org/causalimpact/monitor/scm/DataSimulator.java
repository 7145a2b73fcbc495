package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;

/**
 * Draws data from an SCM with known equations, with and without an intervention, using the same
 * noise in both worlds so that the true effect of the intervention is known row by row.
 *
 * <p>Noise is Gaussian from a {@link SplittableRandom} (whose seeding mixes the seed, so nearby seeds
 * give unrelated draws) seeded with the given seed; the first {@value
 * #BURN_IN} rows (plus the largest lag) are simulated and dropped so that the series start near
 * their stationary distribution.
 */
public final class DataSimulator {
  static final int BURN_IN = 200;
  private static final long LEVEL_SEED = 0x5851F42D4C957F2DL;

  private DataSimulator() {}

  /**
   * The simulated table (natural values before the intervention, intervened values from its start)
   * and the true effect per simulated node.
   *
   * @param table one column per node, in graph order, no labels
   * @param trueEffect per node of {@code I ∪ descendants(I)}: interventional minus natural value,
   *     0 before the start; empty without an intervention
   */
  public record SimulatedData(TimeSeriesTable table, Map<String, double[]> trueEffect) {
    public SimulatedData {
      Map<String, double[]> copy = new LinkedHashMap<>();
      trueEffect.forEach((k, v) -> copy.put(k, v.clone()));
      trueEffect = java.util.Collections.unmodifiableMap(copy);
    }

    /** The true effect on {@code node} at {@code row} (0 for a node the intervention misses). */
    public double trueEffect(String node, int row) {
      double[] e = trueEffect.get(node);
      return e == null ? 0 : e[row];
    }
  }

  /**
   * @param graph the graph whose nodes the spec defines
   * @param spec true equations and number of rows
   * @param intervention what to do from which row, or {@code null} for none; its {@code observed}
   *     do-spec is not allowed (there is nothing observed to replay)
   * @param seed random seed
   */
  public static SimulatedData simulate(
      CausalGraph graph, SimulationSpec spec, Intervention intervention, long seed) {
    int nodes = graph.size();
    List<EquationLayout> layouts = new ArrayList<>();
    double[][] coef = new double[nodes][];
    double[] noiseSd = new double[nodes];
    double[] levelSd = new double[nodes];
    double[] noiseAr = new double[nodes];
    double[] drift = new double[nodes];
    int maxLag = 0;
    for (String name : graph.nodeNames()) {
      EquationLayout layout = EquationLayout.of(graph, name, 0, 1);
      TrueEquation eq = spec.equations().get(name);
      if (eq == null) {
        throw new InputException("the simulation has no equation for node '" + name + "'");
      }
      int idx = graph.indexOf(name);
      coef[idx] = coefficients(graph.node(name), eq);
      if (coef[idx].length != layout.size()) {
        throw new IllegalStateException("coefficient layout mismatch for " + name);
      }
      noiseSd[idx] = eq.noise();
      levelSd[idx] = eq.level();
      noiseAr[idx] = eq.noiseAr();
      drift[idx] = graph.node(name).hasTrendTerm() ? 0 : eq.trend();
      layouts.add(layout);
      maxLag = Math.max(maxLag, layout.maxLag());
    }
    int burn = BURN_IN + maxLag;
    int total = burn + spec.rows();
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] noise = new double[nodes][total];
    for (int t = 0; t < total; t++) {
      for (int j = 0; j < nodes; j++) {
        noise[j][t] = noiseSd[j] * rng.nextGaussian();
      }
    }
    addLevelsAndAr(noise, levelSd, noiseAr, seed);
    for (int j = 0; j < nodes; j++) {
      for (int t = 0; t < total && drift[j] != 0; t++) {
        noise[j][t] += drift[j] * t;
      }
    }
    double[][] natural = new double[nodes][total];
    for (int j = 0; j < nodes; j++) {
      Arrays.fill(natural[j], 0, maxLag, coef[j][0]);
    }
    EquationLayout.NodeValues v = (node, t) -> natural[node][t];
    for (int t = maxLag; t < total; t++) {
      for (String name : graph.topologicalOrder()) {
        int j = graph.indexOf(name);
        natural[j][t] = layouts.get(j).predict(coef[j], v, t) + noise[j][t];
      }
    }
    double[][] observed = new double[nodes][];
    for (int j = 0; j < nodes; j++) {
      observed[j] = Arrays.copyOfRange(natural[j], burn, total);
    }
    Map<String, double[]> truth = new LinkedHashMap<>();
    if (intervention != null) {
      for (Map.Entry<String, DoSpec> a : intervention.actions().entrySet()) {
        if (a.getValue() instanceof DoSpec.Observed) {
          throw new InputException(
              "simulate cannot apply the 'observed' do-spec of node '"
                  + a.getKey()
                  + "': give set, shift or scale");
        }
      }
      int start = intervention.start();
      int end = intervention.endWithin(spec.rows());
      if (start >= spec.rows()) {
        throw new InputException(
            "the intervention starts at row " + start + " but only " + spec.rows() + " rows are drawn");
      }
      Set<String> affected = new LinkedHashSet<>(intervention.actions().keySet());
      affected.addAll(graph.descendants(intervention.actions().keySet()));
      // after the end the intervened nodes follow their equations again; what the intervention
      // left in the lags carries on to the last row (the persistence the monitor can report)
      WorldSimulator sim =
          new WorldSimulator(
              graph, layouts, natural, affected, intervention.actions(), burn + end);
      int d = sim.simulatedCount();
      int h = spec.rows() - start;
      double[][] cf = new double[d][h];
      double[][] iv = new double[d][h];
      double[][] dNoise = new double[d][];
      int[] simNodes = sim.simulatedNodes();
      for (int i = 0; i < d; i++) {
        dNoise[i] = Arrays.copyOfRange(noise[simNodes[i]], burn + start, burn + spec.rows());
      }
      sim.run(coef, burn + start, burn + spec.rows(), dNoise, cf, iv);
      for (int i = 0; i < d; i++) {
        int j = simNodes[i];
        double[] effect = new double[spec.rows()];
        for (int k = 0; k < h; k++) {
          observed[j][start + k] = iv[i][k];
          effect[start + k] = iv[i][k] - cf[i][k];
        }
        truth.put(graph.nodes().get(j).name(), effect);
      }
    }
    return new SimulatedData(new TimeSeriesTable(graph.nodeNames(), observed, null), truth);
  }

  /**
   * Turns the white noise into AR(1) noise where a node asks for it, and adds a random-walk level
   * (drawn from a second generator of the seed, so that data without levels stay as they were):
   * the additive error of each equation, the same in both worlds.
   */
  private static void addLevelsAndAr(
      double[][] noise, double[] levelSd, double[] noiseAr, long seed) {
    SplittableRandom levels = new SplittableRandom(seed ^ LEVEL_SEED);
    for (int j = 0; j < noise.length; j++) {
      double[] e = noise[j];
      if (noiseAr[j] != 0) {
        for (int t = 1; t < e.length; t++) {
          e[t] += noiseAr[j] * e[t - 1];
        }
      }
      if (levelSd[j] > 0) {
        double level = 0;
        for (int t = 0; t < e.length; t++) {
          level += levelSd[j] * levels.nextGaussian();
          e[t] += level;
        }
      }
    }
  }

  private static double[] coefficients(NodeDefinition def, TrueEquation eq) {
    List<Double> c = new ArrayList<>();
    c.add(eq.intercept());
    for (Parent p : def.parents()) {
      List<Double> lags = eq.parents().getOrDefault(p.node(), List.of());
      for (int l = 0; l <= p.maxLag(); l++) {
        c.add(l < lags.size() ? lags.get(l) : 0.0);
      }
    }
    for (int l = 0; l < def.arOrder(); l++) {
      c.add(l < eq.ar().size() ? eq.ar().get(l) : 0.0);
    }
    if (def.seasonality() != null) {
      for (int k = 0; k < 2 * def.seasonality().harmonics(); k++) {
        c.add(k < eq.seasonal().size() ? eq.seasonal().get(k) : 0.0);
      }
    }
    if (def.hasTrendTerm()) {
      c.add(eq.trend());
    }
    return c.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
