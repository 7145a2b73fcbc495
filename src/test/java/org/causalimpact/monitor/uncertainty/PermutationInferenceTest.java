package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The cyclic-shift permutation test of Chernozhukov, Wuthrich and Zhu (2021). Under the null the
 * residuals here are exchangeable (i.i.d. noise minus the overall mean), so the cyclic shifts give
 * an exact test: {@code P(p <= alpha) = floor(alpha T) / T} without ties.
 */
class PermutationInferenceTest {
  private static final int T = 100;
  private static final int POST = 20;

  private static double gaussian(SplittableRandom rng) {
    double u = 1 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static double[] noise(SplittableRandom rng, int n) {
    double[] e = new double[n];
    for (int i = 0; i < n; i++) {
      e[i] = gaussian(rng);
    }
    return e;
  }

  /** The simplest model: a constant level. Under H0 the post rows minus theta, minus the mean. */
  private static DoubleFunction<double[]> meanModel(double[] y, int post) {
    return theta -> {
      double[] adjusted = y.clone();
      for (int t = y.length - post; t < y.length; t++) {
        adjusted[t] -= theta;
      }
      double mean = 0;
      for (double v : adjusted) {
        mean += v;
      }
      mean /= adjusted.length;
      for (int t = 0; t < adjusted.length; t++) {
        adjusted[t] -= mean;
      }
      return adjusted;
    };
  }

  @Test
  void pValueIsAMultipleOfOneOverT() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int trial = 0; trial < 50; trial++) {
      double p = PermutationInference.pValue(noise(rng, T), POST);
      double k = p * T;
      assertEquals(Math.rint(k), k, 1e-9, "p = " + p);
      assertTrue(p >= 1.0 / T && p <= 1, "p = " + p);
    }
  }

  @Test
  void pValueIsOneWhenThePostResidualsAreZero() {
    double[] u = noise(new SplittableRandom(2), T);
    for (int t = T - POST; t < T; t++) {
      u[t] = 0;
    }
    assertEquals(1.0, PermutationInference.pValue(u, POST), 0.0);
  }

  @Test
  void pValueIsSmallForAShiftedPostBlock() {
    double[] u = noise(new SplittableRandom(3), T);
    for (int t = T - 10; t < T; t++) {
      u[t] += 5;
    }
    // Only windows that overlap most of the shifted block come near its sum (50 +- 3.2), so p is
    // a few / T; the bound 0.05 leaves room for two or three such windows.
    double p = PermutationInference.pValue(u, 10);
    assertTrue(p <= 0.05, "p = " + p);
    assertTrue(p >= 1.0 / T, "the identity shift always counts");
  }

  @Test
  void theStatisticIgnoresTheSignOfTheEffect() {
    double[] u = noise(new SplittableRandom(4), T);
    double[] minus = new double[T];
    for (int i = 0; i < T; i++) {
      minus[i] = -u[i];
    }
    assertEquals(
        PermutationInference.pValue(u, POST), PermutationInference.pValue(minus, POST), 0.0);
  }

  @Test
  void rejectionRateUnderTheNullIsAlpha() {
    // 500 seeded trials of y = 10 + N(0,1), no effect; reject when p <= 0.1. Exact rate
    // floor(0.1 * 100) / 100 = 0.1; binomial sd 0.0134, tolerance [0.06, 0.14] (3 sd). Seed 500.
    long seed = 500L;
    SplittableRandom rng = new SplittableRandom(seed);
    int trials = 500;
    int rejected = 0;
    for (int trial = 0; trial < trials; trial++) {
      double[] y = noise(rng, T);
      for (int t = 0; t < T; t++) {
        y[t] += 10;
      }
      if (new PermutationInference(meanModel(y, POST), POST).pValue(0) <= 0.1) {
        rejected++;
      }
    }
    double rate = (double) rejected / trials;
    assertTrue(rate >= 0.06 && rate <= 0.14, "rejection rate " + rate + " (seed " + seed + ")");
  }

  @Test
  void confidenceSetCoversTheTrueShiftAtTheNominalRate() {
    // 500 seeded trials of y = 10 + N(0,1) with +3 on the last 20 rows; 90% set (alpha = 0.1)
    // around the difference in means. Coverage is 1 - P(p(3) <= 0.1) = 0.9 for the acceptance
    // set; binomial sd 0.0134, tolerance [0.85, 0.95] (3.7 sd). Seed 900.
    long seed = 900L;
    SplittableRandom rng = new SplittableRandom(seed);
    int trials = 500;
    int covered = 0;
    double shift = 3;
    for (int trial = 0; trial < trials; trial++) {
      double[] y = noise(rng, T);
      double pre = 0;
      double post = 0;
      for (int t = 0; t < T; t++) {
        y[t] += 10 + (t >= T - POST ? shift : 0);
        if (t >= T - POST) {
          post += y[t];
        } else {
          pre += y[t];
        }
      }
      double estimate = post / POST - pre / (T - POST);
      Double[] set =
          new PermutationInference(meanModel(y, POST), POST).confidenceSet(estimate, 1, 0.1);
      assertNotNull(set[0], "bounded below");
      assertNotNull(set[1], "bounded above");
      assertTrue(set[0] <= estimate && estimate <= set[1], "the set holds the point estimate");
      if (set[0] <= shift && shift <= set[1]) {
        covered++;
      }
    }
    double coverage = (double) covered / trials;
    assertTrue(
        coverage >= 0.85 && coverage <= 0.95, "coverage " + coverage + " (seed " + seed + ")");
  }

  @Test
  void confidenceSetEdgesHaveAPValueJustAboveAlpha() {
    double[] y = noise(new SplittableRandom(6), T);
    for (int t = T - POST; t < T; t++) {
      y[t] += 2;
    }
    PermutationInference test = new PermutationInference(meanModel(y, POST), POST);
    Double[] set = test.confidenceSet(2, 1, 0.1);

    assertTrue(test.pValue(set[0]) > 0.1);
    assertTrue(test.pValue(set[1]) > 0.1);
    // Just outside (1e-6 beyond, far more than the 30 bisections' resolution) the null is rejected.
    assertTrue(test.pValue(set[0] - 1e-6) <= 0.1);
    assertTrue(test.pValue(set[1] + 1e-6) <= 0.1);
  }

  @Test
  void alphaBelowOneOverTGivesAnUnboundedSet() {
    double[] y = noise(new SplittableRandom(7), T);
    Double[] set = new PermutationInference(meanModel(y, POST), POST).confidenceSet(0, 1, 0.5 / T);
    assertNull(set[0]);
    assertNull(set[1]);
  }

  @Test
  void rejectsAnEmptyOrTooLongPostPeriod() {
    assertThrows(
        IllegalArgumentException.class, () -> new PermutationInference(x -> new double[5], 0));
    assertThrows(
        IllegalArgumentException.class, () -> PermutationInference.pValue(new double[5], 5));
  }
}
