package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantilesTest {
  private static final double[] ONE_TO_TEN = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

  @Test
  void type7MatchesRsDefaultQuantile() {
    // R: quantile(1:10, c(0.25, 0.5, 0.9)) -> 3.25 5.50 9.10 (tolerance 1e-12)
    assertEquals(3.25, Quantiles.type7(ONE_TO_TEN, 0.25), 1e-12);
    assertEquals(5.5, Quantiles.type7(ONE_TO_TEN, 0.5), 1e-12);
    assertEquals(9.1, Quantiles.type7(ONE_TO_TEN, 0.9), 1e-12);
    // R: quantile(c(2.5, 1, 7, 3.2, 10.1), c(0.3, 0.75, 0.975)) -> 2.640 7.000 9.7900
    double[] sorted = {1, 2.5, 3.2, 7, 10.1};
    assertEquals(2.64, Quantiles.type7(sorted, 0.3), 1e-12);
    assertEquals(7.0, Quantiles.type7(sorted, 0.75), 1e-12);
    assertEquals(9.79, Quantiles.type7(sorted, 0.975), 1e-12);
  }

  @Test
  void selectionQuantilesEqualSortedQuantiles() {
    // Property: for random samples with ties, sizes 1..200, the O(n) selection paths give exactly
    // the type-7 quantile of the sorted sample. Seed 20261122.
    java.util.SplittableRandom rng = new java.util.SplittableRandom(20261122L);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rng.nextInt(200);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = rng.nextInt(4) == 0 ? Math.floor(rng.nextDouble() * 5) : rng.nextGaussian();
      }
      double[] copy = x.clone();
      double[] sorted = x.clone();
      java.util.Arrays.sort(sorted);
      double p1 = rng.nextDouble() * 0.5;
      double p2 = 0.5 + rng.nextDouble() * 0.5;
      double[] pair = Quantiles.type7PairUnsorted(x, p1, p2);
      assertEquals(Quantiles.type7(sorted, p1), pair[0], 0.0, "trial " + trial);
      assertEquals(Quantiles.type7(sorted, p2), pair[1], 0.0, "trial " + trial);
      assertEquals(Quantiles.type7(sorted, p2), Quantiles.type7Unsorted(x, p2), 0.0);
      assertArrayEquals(copy, x, "input modified");
    }
  }

  @Test
  void type7EndpointsAndTinySamples() {
    assertEquals(1, Quantiles.type7(ONE_TO_TEN, 0), 0.0);
    assertEquals(10, Quantiles.type7(ONE_TO_TEN, 1), 0.0);
    // n = 1: every quantile is the value. n = 2: linear between the two
    // (R: quantile(c(3, 5), 0.25) -> 3.5).
    assertEquals(42, Quantiles.type7(new double[] {42}, 0.37), 0.0);
    assertEquals(3.5, Quantiles.type7(new double[] {3, 5}, 0.25), 1e-15);
    // Math.nextUp(0) stays at the minimum (plus a vanishing interpolation).
    assertEquals(1, Quantiles.type7(ONE_TO_TEN, Math.nextUp(0.0)), 1e-300);
  }

  @Test
  void type7IsMonotoneInP() {
    SplittableRandom rng = new SplittableRandom(7);
    double[] v = rng.doubles(57).toArray();
    Arrays.sort(v);
    double previous = Double.NEGATIVE_INFINITY;
    for (int i = 0; i <= 1000; i++) {
      double q = Quantiles.type7(v, i / 1000.0);
      assertTrue(q >= previous, "quantile decreased at p=" + i / 1000.0);
      previous = q;
    }
  }

  @Test
  void type7RejectsEmptySamplesAndBadProbabilities() {
    assertThrows(IllegalArgumentException.class, () -> Quantiles.type7(new double[0], 0.5));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.type7(ONE_TO_TEN, Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.type7(ONE_TO_TEN, -0.01));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.type7(ONE_TO_TEN, 1.01));
  }

  @Test
  void conformalRankIsTheCeilingOfMPlusOneTimesOneMinusAlpha() {
    // ceil(20 * 0.95) = 19: exact in real arithmetic, where 0.95 is inexact in binary.
    assertEquals(19, Quantiles.conformalRank(19, 0.05));
    assertEquals(19, Quantiles.conformalRank(18, 0.05), "ceil(19 * 0.95) = ceil(18.05)");
    assertEquals(95, Quantiles.conformalRank(99, 0.05));
    assertEquals(9, Quantiles.conformalRank(9, 0.1));
    assertEquals(9, Quantiles.conformalRank(8, 0.1), "ceil(9 * 0.9) = ceil(8.1)");
    assertEquals(1, Quantiles.conformalRank(1, 0.5));
  }

  @Test
  void conformalBoundIsTheRankedScoreOrUnbounded() {
    SplittableRandom rng = new SplittableRandom(3);
    double[] nineteen = new double[19];
    for (int i = 0; i < 19; i++) {
      nineteen[i] = i + 1;
    }
    shuffle(nineteen, rng);
    double[] copy = nineteen.clone();

    assertEquals(19.0, Quantiles.conformal(nineteen, 0.05), 0.0, "m=19, alpha=.05 -> rank 19");
    assertEquals(18.0, Quantiles.conformal(nineteen, 0.1), 0.0, "ceil(20 * 0.9) = 18");
    assertTrue(Arrays.equals(copy, nineteen), "scores are not modified");
    assertNull(Quantiles.conformal(Arrays.copyOf(nineteen, 18), 0.05), "m=18 -> unbounded");
    assertEquals(19, Quantiles.minimumCalibration(0.05));
    assertEquals(9, Quantiles.minimumCalibration(0.1));
    assertEquals(99, Quantiles.minimumCalibration(0.01));
    assertNotNull(Quantiles.conformal(new double[99], 0.01));
  }

  @Test
  void conformalBoundIsNonIncreasingInAlpha() {
    double[] scores = new SplittableRandom(5).doubles(99).toArray();
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 1; i < 100; i++) {
      Double q = Quantiles.conformal(scores, i / 100.0);
      assertNotNull(q);
      assertTrue(q <= previous, "bound grew at alpha=" + i / 100.0);
      previous = q;
    }
  }

  @Test
  void conformalCoverageOfExchangeableScoresIsNominal() {
    // 2000 trials of 99 calibration scores |N(0,1)| and one test score of the same law. The rank
    // argument gives coverage exactly 95/100 = 0.95; binomial sd over 2000 trials is 0.0049, so
    // [0.94, 0.97] allows -2 sd (the guarantee is ">= 0.95") and +4 sd. Seed 20240611.
    long seed = 20240611L;
    SplittableRandom rng = new SplittableRandom(seed);
    int trials = 2000;
    int covered = 0;
    for (int trial = 0; trial < trials; trial++) {
      double[] scores = new double[99];
      for (int i = 0; i < scores.length; i++) {
        scores[i] = Math.abs(gaussian(rng));
      }
      double test = Math.abs(gaussian(rng));
      if (test <= Quantiles.conformal(scores, 0.05)) {
        covered++;
      }
    }
    double coverage = (double) covered / trials;
    assertTrue(
        coverage >= 0.94 && coverage <= 0.97, "coverage " + coverage + " (seed " + seed + ")");
  }

  @Test
  void tailPairEqualsSelectionExactly() {
    // Property: TailPair gives exactly type7PairUnsorted, for tail and central
    // probabilities (the latter fall back), normal, exponential, uniform and tied values (so that
    // the first, cut-based try succeeds or falls back), sorted and reversed input, and a NaN.
    // Seed 20260505.
    SplittableRandom rng = new SplittableRandom(20260505L);
    double[][] probabilities = {{0.025, 0.975}, {0.05, 0.95}, {0, 1}, {0.25, 0.75}, {0.5, 0.5}};
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rng.nextInt(trial < 20 ? 40 : 1200);
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        switch (trial % 4) {
          case 0 -> x[i] = rng.nextInt(5) == 0 ? Math.floor(rng.nextDouble() * 3) : gaussian(rng);
          case 1 -> x[i] = gaussian(rng);
          case 2 -> x[i] = -Math.log(1 - rng.nextDouble());
          default -> x[i] = rng.nextDouble();
        }
      }
      if (trial % 10 == 1) {
        Arrays.sort(x);
      } else if (trial % 10 == 2) {
        Arrays.sort(x);
        for (int i = 0; i < n / 2; i++) {
          double t = x[i];
          x[i] = x[n - 1 - i];
          x[n - 1 - i] = t;
        }
      } else if (trial % 10 == 3) {
        x[rng.nextInt(n)] = Double.NaN;
      }
      double[] before = x.clone();
      for (double[] p : probabilities) {
        TailPair tails = new TailPair(n, p[0], p[1]);
        double[] out = new double[2];
        tails.compute(x, out);
        assertArrayEquals(
            Quantiles.type7PairUnsorted(x, p[0], p[1]),
            out,
            0.0,
            "n " + n + ", p " + Arrays.toString(p) + ", trial " + trial);
      }
      assertArrayEquals(before, x, 0.0, "the values are not modified");
    }
  }

  @Test
  void tailPairOfASeriesEqualsSelectionExactly() {
    // Property: samples of a series, with the cuts carried from one to the next, give exactly
    // type7PairUnsorted whether the carried cuts hold or fail: a center that drifts (the running
    // sum of a stream) or jumps, a spread that grows or shrinks, a center passed that is right,
    // off or not finite, tied values, a NaN, infinities, signed zeros, and the probabilities of
    // the other test (each kind of sample where the carried cuts hold, fail, and where the
    // selection among the values kept meets ties). 400 series of 30 samples, seed 20261122.
    SplittableRandom rng = new SplittableRandom(20261122L);
    double[][] probabilities = {{0.025, 0.975}, {0.05, 0.95}, {0, 1}, {0.25, 0.75}};
    for (int trial = 0; trial < 400; trial++) {
      int n = trial < 40 ? 1 + rng.nextInt(60) : 200 + rng.nextInt(1000);
      double[] p = probabilities[trial % probabilities.length];
      TailPair tails = new TailPair(n, p[0], p[1]);
      TailPair.Series series = new TailPair.Series();
      double center = 10 * gaussian(rng);
      double spread = Math.exp(gaussian(rng));
      double[] x = new double[n];
      double[] out = new double[2];
      for (int sample = 0; sample < 30; sample++) {
        center += rng.nextInt(10) == 0 ? 20 * gaussian(rng) : spread * gaussian(rng);
        spread *= Math.exp(0.2 * gaussian(rng));
        for (int i = 0; i < n; i++) {
          x[i] = center + spread * gaussian(rng);
        }
        switch (rng.nextInt(13)) {
          case 0 -> x[rng.nextInt(n)] = Double.NaN;
          case 1 -> x[rng.nextInt(n)] = Double.POSITIVE_INFINITY;
          case 2 -> x[rng.nextInt(n)] = Double.NEGATIVE_INFINITY;
          case 3 -> {
            for (int i = 0; i < n; i++) {
              x[i] = Math.floor(x[i] / spread);
            }
          }
          case 4 -> {
            for (int i = 0; i < n; i++) {
              x[i] = rng.nextBoolean() ? 0.0 : -0.0;
            }
          }
          case 5 -> {
            for (int i = 0; i < n / 30; i++) {
              x[rng.nextInt(n)] = Double.POSITIVE_INFINITY;
            }
          }
          default -> {}
        }
        double given =
            switch (rng.nextInt(8)) {
              case 0 -> Double.NaN;
              case 1 -> center + 5 * spread;
              default -> center;
            };
        double[] before = x.clone();
        tails.compute(x, series, given, out);
        assertArrayEquals(
            Quantiles.type7PairUnsorted(x, p[0], p[1]),
            out,
            0.0,
            "n " + n + ", p " + Arrays.toString(p) + ", trial " + trial + ", sample " + sample);
        assertArrayEquals(before, x, 0.0, "the values are not modified");
      }
    }
  }

  @Test
  void pairAmongGivesTwoConsecutiveOrderStatistics() {
    // Property: the order statistics k and k + 1 of a part of an array equal those of the sorted
    // part (NaN for k + 1 past its end), for parts of 1 to 150 values at an offset, with ties,
    // infinities and signed zeros (compared as numbers: which of two equal zeros comes back is not
    // specified). 20,000 cases, seed 20261123.
    SplittableRandom rng = new SplittableRandom(20261123L);
    double[] out = new double[2];
    for (int trial = 0; trial < 20_000; trial++) {
      int count = 1 + rng.nextInt(150);
      int from = rng.nextInt(5);
      double[] a = new double[from + count + rng.nextInt(5)];
      for (int i = from; i < from + count; i++) {
        a[i] =
            switch (rng.nextInt(8)) {
              case 0 -> Double.POSITIVE_INFINITY;
              case 1 -> Double.NEGATIVE_INFINITY;
              case 2 -> rng.nextBoolean() ? 0.0 : -0.0;
              case 3 -> rng.nextInt(3);
              default -> gaussian(rng);
            };
      }
      double[] sorted = Arrays.copyOfRange(a, from, from + count);
      Arrays.sort(sorted);
      int k = from + rng.nextInt(count);
      Quantiles.pairAmong(a, new double[a.length], from, from + count, k, out);
      String where = "trial " + trial + ", count " + count + ", k " + (k - from);
      assertTrue(out[0] == sorted[k - from], where);
      if (k - from + 1 < count) {
        assertTrue(out[1] == sorted[k - from + 1], where);
      } else {
        assertTrue(Double.isNaN(out[1]), where);
      }
    }
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller from two uniforms; SplittableRandom has no nextGaussian in Java 17.
    double u = 1 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  private static void shuffle(double[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      double t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
