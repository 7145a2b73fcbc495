package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.junit.jupiter.api.Test;

/**
 * The do-operator of {@link WorldSimulator} with exact, known coefficients:
 *
 * <pre>
 *   U  exogenous root, observed only (any series)
 *   X = 1 + 0.8 U(t) + 0.3 X(t-1)
 *   M = 2 X(t) + 0.5 X(t-1)
 *   Y = 3 + 1.5 M(t) - 1.0 U(t) + 0.7 X(t)
 *   W = 4 + 2 U(t)                      (not a descendant of X or M)
 * </pre>
 *
 * The observed data are generated noise-free by these equations, so every expected value is exact
 * arithmetic; tolerance 1e-9 absolute (values are of order 100, so this is rounding only).
 */
class WorldSimulatorTest {
  private static final double TOL = 1e-9;
  private static final int ROWS = 80;
  private static final int START = 50;
  private static final int H = ROWS - START;

  private static final int U = 0;
  private static final int X = 1;
  private static final int M = 2;
  private static final int Y = 3;
  private static final int W = 4;

  private static CausalGraph graph() {
    return CausalGraph.of(
        List.of(
            NodeDefinition.root("U"),
            new NodeDefinition("X", List.of(new Parent("U", 0)), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("M", List.of(new Parent("X", 1)), 0, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "Y",
                List.of(new Parent("M", 0), new Parent("U", 0), new Parent("X", 0)),
                0,
                null,
                false,
                Aggregation.MEAN),
            new NodeDefinition(
                "W", List.of(new Parent("U", 0)), 0, null, false, Aggregation.MEAN)));
  }

  /** Coefficients in layout order: intercept, parents' lags in listed order, own lags. */
  private static double[][] coefficients() {
    return new double[][] {
      {0.0},
      {1.0, 0.8, 0.3},
      {0.0, 2.0, 0.5},
      {3.0, 1.5, -1.0, 0.7},
      {4.0, 2.0},
    };
  }

  private static List<EquationLayout> layouts(CausalGraph g) {
    return g.nodeNames().stream().map(n -> EquationLayout.of(g, n, 0, 1)).toList();
  }

  private static double x(double u, double xPrev) {
    return 1 + 0.8 * u + 0.3 * xPrev;
  }

  private static double m(double x, double xPrev) {
    return 2 * x + 0.5 * xPrev;
  }

  private static double y(double m, double u, double x) {
    return 3 + 1.5 * m - u + 0.7 * x;
  }

  /** Observed data generated noise-free; U is an arbitrary (seeded random) series. */
  private static double[][] data(long seed) {
    Random rng = new Random(seed);
    double[][] v = new double[5][ROWS];
    for (int t = 0; t < ROWS; t++) {
      v[U][t] = 5 + Math.sin(t / 3.0) + rng.nextGaussian();
      v[X][t] = x(v[U][t], t == 0 ? 2.0 : v[X][t - 1]);
      v[M][t] = m(v[X][t], t == 0 ? 2.0 : v[X][t - 1]);
      v[Y][t] = y(v[M][t], v[U][t], v[X][t]);
      v[W][t] = 4 + 2 * v[U][t];
    }
    return v;
  }

  private record Worlds(WorldSimulator sim, double[][] cf, double[][] iv) {
    double[] cf(int node) {
      return cf[sim.positionOf(node)];
    }

    double[] iv(int node) {
      return iv[sim.positionOf(node)];
    }
  }

  private static Worlds run(
      double[][] observed, Set<String> simulated, Map<String, DoSpec> doSpecs, double[][] noise) {
    CausalGraph g = graph();
    WorldSimulator sim = new WorldSimulator(g, layouts(g), observed, simulated, doSpecs);
    double[][] cf = new double[sim.simulatedCount()][H];
    double[][] iv = new double[sim.simulatedCount()][H];
    sim.run(coefficients(), START, ROWS, noise, cf, iv);
    return new Worlds(sim, cf, iv);
  }

  private static double[] post(double[] column) {
    return java.util.Arrays.copyOfRange(column, START, ROWS);
  }

  @Test
  void simulatesOnlyTheGivenNodesInTopologicalOrder() {
    Worlds w = run(data(1), Set.of("Y", "M", "X"), Map.of("X", new DoSpec.Shift(1)), null);

    assertArrayEquals(new int[] {X, M, Y}, w.sim().simulatedNodes());
    assertEquals(-1, w.sim().positionOf(U));
    assertEquals(-1, w.sim().positionOf(W), "W is neither intervened nor downstream");
  }

  @Test
  void counterfactualEqualsObservedWhenTheDataFollowTheEquationsWithoutNoise() {
    double[][] obs = data(2);
    Worlds w = run(obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Shift(1)), null);

    assertArrayEquals(post(obs[X]), w.cf(X), TOL);
    assertArrayEquals(post(obs[M]), w.cf(M), TOL);
    assertArrayEquals(post(obs[Y]), w.cf(Y), TOL);
  }

  @Test
  void shiftAddsToTheNaturalValueAndPropagatesDownstreamWithLags() {
    double d = 2;
    Worlds w = run(data(3), Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Shift(d)), null);

    for (int h = 0; h < H; h++) {
      assertEquals(d, w.iv(X)[h] - w.cf(X)[h], TOL, "X := natural X + 2");
      // M reads X(t-1); at h = 0 that is the pre-period value, the same in both worlds.
      double dm = h == 0 ? 2 * d : 2 * d + 0.5 * d;
      assertEquals(dm, w.iv(M)[h] - w.cf(M)[h], TOL, "M at h=" + h);
      // Y = ... 1.5 M + 0.7 X: h=0 -> 1.5*4 + 1.4 = 7.4; later 1.5*5 + 1.4 = 8.9
      assertEquals(1.5 * dm + 0.7 * d, w.iv(Y)[h] - w.cf(Y)[h], TOL, "Y at h=" + h);
    }
    assertEquals(7.4, w.iv(Y)[0] - w.cf(Y)[0], TOL);
    assertEquals(8.9, w.iv(Y)[H - 1] - w.cf(Y)[H - 1], TOL);
  }

  @Test
  void afterTheActionEndsTheEffectDecaysThroughTheLags() {
    double d = 2;
    int stop = START + 10;
    CausalGraph g = graph();
    WorldSimulator sim =
        new WorldSimulator(
            g, layouts(g), data(5), Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Shift(d)), stop);
    double[][] cf = new double[sim.simulatedCount()][H];
    double[][] iv = new double[sim.simulatedCount()][H];
    sim.run(coefficients(), START, ROWS, null, cf, iv);
    Worlds w = new Worlds(sim, cf, iv);

    // X = 1 + 0.8 U + 0.3 X(t-1): once the shift stops, X's own lag carries 0.3^k of it
    double dxPrev = d;
    for (int h = 10; h < H; h++) {
      double dx = 0.3 * dxPrev;
      double dm = 2 * dx + 0.5 * dxPrev;
      assertEquals(dx, w.iv(X)[h] - w.cf(X)[h], TOL, "X at h=" + h);
      assertEquals(dm, w.iv(M)[h] - w.cf(M)[h], TOL, "M at h=" + h);
      assertEquals(1.5 * dm + 0.7 * dx, w.iv(Y)[h] - w.cf(Y)[h], TOL, "Y at h=" + h);
      dxPrev = dx;
    }
    assertEquals(d, w.iv(X)[9] - w.cf(X)[9], TOL, "the shift holds before the end");
    assertEquals(0.6, w.iv(X)[10] - w.cf(X)[10], TOL, "0.3 * 2 on the first row after it");
  }

  @Test
  void scaleMultipliesTheNaturalValue() {
    double[][] obs = data(4);
    double s = 1.5;
    Worlds w = run(obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Scale(s)), null);

    for (int h = 0; h < H; h++) {
      int t = START + h;
      double xIv = s * obs[X][t];
      double xPrevIv = h == 0 ? obs[X][t - 1] : s * obs[X][t - 1];
      double mIv = m(xIv, xPrevIv);
      assertEquals(xIv, w.iv(X)[h], TOL);
      assertEquals(mIv, w.iv(M)[h], TOL);
      assertEquals(y(mIv, obs[U][t], xIv), w.iv(Y)[h], TOL);
    }
  }

  @Test
  void setCutsTheNodeFromItsParentsAndItsOwnPast() {
    double[][] obsA = data(5);
    double[][] obsB = data(6);
    Map<String, DoSpec> doX = Map.of("X", new DoSpec.Set(4));
    Worlds a = run(obsA, Set.of("X", "M", "Y"), doX, null);
    Worlds b = run(obsB, Set.of("X", "M", "Y"), doX, null);

    double[] fours = new double[H];
    java.util.Arrays.fill(fours, 4);
    assertArrayEquals(fours, a.iv(X), 0.0, "X := 4 whatever U and X's past");
    assertArrayEquals(fours, b.iv(X), 0.0);
    for (int h = 1; h < H; h++) {
      assertEquals(m(4, 4), a.iv(M)[h], TOL, "M = 2*4 + 0.5*4 once X(t-1) is intervened too");
      assertEquals(a.iv(M)[h], b.iv(M)[h], TOL, "M no longer depends on U through X");
    }
    // Y still reads U directly (an edge that does not pass through X): only that part differs.
    for (int h = 0; h < H; h++) {
      int t = START + h;
      double expected = y(a.iv(M)[h], obsA[U][t], 4);
      assertEquals(expected, a.iv(Y)[h], TOL);
    }
    // The counterfactual still follows U, so the two data sets give different counterfactuals.
    double du = obsA[U][START] - obsB[U][START];
    double dxPrev = obsA[X][START - 1] - obsB[X][START - 1];
    assertEquals(0.8 * du + 0.3 * dxPrev, a.cf(X)[0] - b.cf(X)[0], TOL);
  }

  @Test
  void observedReplaysTheMeasuredValuesAndTheCounterfactualRecoversTheNaturalPath() {
    double[][] natural = data(7);
    // The intervention is a measured change of X: from START on X is 3 above its equation, and
    // M, Y follow the changed X by their equations.
    double[][] obs = new double[5][];
    for (int j = 0; j < 5; j++) {
      obs[j] = natural[j].clone();
    }
    for (int t = START; t < ROWS; t++) {
      obs[X][t] = x(obs[U][t], obs[X][t - 1]) + 3;
      obs[M][t] = m(obs[X][t], obs[X][t - 1]);
      obs[Y][t] = y(obs[M][t], obs[U][t], obs[X][t]);
    }
    Worlds w = run(obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Observed()), null);

    assertArrayEquals(post(natural[X]), w.cf(X), TOL, "counterfactual X without the change");
    assertArrayEquals(post(natural[M]), w.cf(M), TOL);
    assertArrayEquals(post(natural[Y]), w.cf(Y), TOL);
    assertArrayEquals(post(obs[X]), w.iv(X), TOL, "interventional X is the observed X");
    assertArrayEquals(post(obs[M]), w.iv(M), TOL, "and its descendants follow it");
    assertArrayEquals(post(obs[Y]), w.iv(Y), TOL);
  }

  @Test
  void shiftAndScaleActOnTheNaturalValueNotOnTheObservedOne() {
    double[][] natural = data(13);
    double[][] obs = new double[5][];
    for (int j = 0; j < 5; j++) {
      obs[j] = natural[j].clone();
    }
    for (int t = START; t < ROWS; t++) {
      obs[X][t] += 100;
    }
    Worlds shifted = run(obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Shift(2)), null);
    Worlds scaled = run(obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Scale(0.5)), null);

    for (int h = 0; h < H; h++) {
      int t = START + h;
      assertEquals(natural[X][t] + 2, shifted.iv(X)[h], TOL, "natural X + 2, not observed X + 2");
      assertEquals(natural[X][t] * 0.5, scaled.iv(X)[h], TOL, "natural X * 0.5");
    }
  }

  @Test
  void severalNodesAtOnceEachIgnoreTheirParents() {
    double[][] obs = data(8);
    Worlds w =
        run(
            obs,
            Set.of("X", "M", "Y"),
            Map.of("X", new DoSpec.Set(4), "M", new DoSpec.Shift(1)),
            null);

    for (int h = 0; h < H; h++) {
      int t = START + h;
      assertEquals(4, w.iv(X)[h], 0.0);
      // M := natural M + 1: its natural value is the counterfactual one (from the natural X),
      // not the one computed from the intervened X = 4.
      assertEquals(obs[M][t] + 1, w.iv(M)[h], TOL, "M at h=" + h);
      assertEquals(y(obs[M][t] + 1, obs[U][t], 4), w.iv(Y)[h], TOL, "Y at h=" + h);
    }
  }

  @Test
  void anUpstreamNodeIsUnaffectedByAnInterventionBelowIt() {
    double[][] obs = data(9);
    // X is simulated (e.g. reported as an outcome) but lies upstream of the intervened M.
    Worlds w = run(obs, Set.of("X", "M", "Y"), Map.of("M", new DoSpec.Set(0)), null);

    assertArrayEquals(w.cf(X), w.iv(X), 0.0, "do(M) does not reach M's parent");
    for (int h = 0; h < H; h++) {
      int t = START + h;
      assertEquals(0, w.iv(M)[h], 0.0);
      assertEquals(y(0, obs[U][t], obs[X][t]), w.iv(Y)[h], TOL);
    }
  }

  @Test
  void sameNoiseInBothWorldsLeavesTheEffectOfALinearModelUnchanged() {
    double[][] obs = data(10);
    Map<String, DoSpec> shift = Map.of("X", new DoSpec.Shift(2));
    Worlds exact = run(obs, Set.of("X", "M", "Y"), shift, null);
    Random rng = new Random(11);
    double[][] noise = new double[3][H];
    for (double[] row : noise) {
      for (int h = 0; h < H; h++) {
        row[h] = 5 * rng.nextGaussian();
      }
    }
    Worlds noisy = run(obs, Set.of("X", "M", "Y"), shift, noise);

    for (int node : new int[] {X, M, Y}) {
      for (int h = 0; h < H; h++) {
        assertEquals(
            exact.iv(node)[h] - exact.cf(node)[h],
            noisy.iv(node)[h] - noisy.cf(node)[h],
            1e-8,
            "node " + node + " h=" + h);
      }
    }
    // The noise does enter each world: X's counterfactual moves by its noise at the first step.
    assertEquals(noise[0][0], noisy.cf(X)[0] - exact.cf(X)[0], TOL);
  }

  @Test
  void anInterventionOnANodeOutsideTheSimulatedSetIsRejected() {
    CausalGraph g = graph();
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new WorldSimulator(
                g, layouts(g), data(1), Set.of("M", "Y"), Map.of("X", new DoSpec.Shift(1))));
  }

  @Test
  void counterfactualOnlyRunLeavesTheInterventionalWorldAlone() {
    CausalGraph g = graph();
    double[][] obs = data(12);
    WorldSimulator sim =
        new WorldSimulator(
            g, layouts(g), obs, Set.of("X", "M", "Y"), Map.of("X", new DoSpec.Set(0)));
    double[][] cf = new double[3][H];
    sim.run(coefficients(), START, ROWS, null, cf, null);

    assertArrayEquals(post(obs[Y]), cf[sim.positionOf(Y)], TOL);
  }
}
