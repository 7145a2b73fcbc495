package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link FittedEquation#drawCoefficients}: draws of {@code b + s C z} with {@code C C' = P} have
 * mean {@code b} and covariance {@code s^2 P} on the terms that enter; a term left out stays at
 * its coefficient 0. 40,000 draws with a fixed seed; the tolerances are about four standard
 * errors of the sample moments.
 */
class CoefficientDrawTest {
  private static final double[][] P = {{2.0, 0.6, -0.3}, {0.6, 1.0, 0.2}, {-0.3, 0.2, 0.5}};
  private static final int DRAWS = 40_000;

  private static FittedEquation equation(double[] b, double[][] p, boolean[] included) {
    int n = 20;
    return new FittedEquation(
        null,
        b,
        new double[n][b.length],
        p,
        new double[n],
        0,
        1.0,
        Double.NaN,
        NoiseProcess.staticNoise(),
        null,
        new double[0],
        new double[0][0],
        new double[b.length][0],
        null,
        included,
        null);
  }

  @Test
  void drawsHaveThePosteriorsMeanAndCovariance() {
    double[] b = {1.0, -2.0, 0.5};
    double s = 1.5;
    FittedEquation eq = equation(b, P, null);
    SplittableRandom rng = new SplittableRandom(7);
    double[] sum = new double[3];
    double[][] cross = new double[3][3];
    double[] out = new double[3];
    for (int d = 0; d < DRAWS; d++) {
      eq.drawCoefficients(s, rng, out);
      for (int a = 0; a < 3; a++) {
        sum[a] += out[a] - b[a];
        for (int c = 0; c < 3; c++) {
          cross[a][c] += (out[a] - b[a]) * (out[c] - b[c]);
        }
      }
    }
    for (int a = 0; a < 3; a++) {
      double sd = s * Math.sqrt(P[a][a]);
      assertEquals(0, sum[a] / DRAWS, 4 * sd / Math.sqrt(DRAWS), "mean of term " + a);
      for (int c = 0; c < 3; c++) {
        double expected = s * s * P[a][c];
        double scale = s * s * Math.sqrt(P[a][a] * P[c][c]);
        assertEquals(
            expected, cross[a][c] / DRAWS, 4 * scale * Math.sqrt(2.0 / DRAWS),
            "covariance of terms " + a + ", " + c);
      }
    }
  }

  @Test
  void aTermLeftOutStaysOutAndTheOthersKeepTheirCovariance() {
    double[] b = {1.0, 0.0, 0.5};
    double[][] p = {{2.0, 0.0, -0.3}, {0.0, 0.0, 0.0}, {-0.3, 0.0, 0.5}};
    FittedEquation eq = equation(b, p, new boolean[] {true, false, true});
    SplittableRandom rng = new SplittableRandom(11);
    double[] out = new double[3];
    double v0 = 0;
    double v2 = 0;
    double c02 = 0;
    for (int d = 0; d < DRAWS; d++) {
      eq.drawCoefficients(1.0, rng, out);
      assertEquals(0.0, out[1], "the term left out");
      v0 += (out[0] - 1.0) * (out[0] - 1.0);
      v2 += (out[2] - 0.5) * (out[2] - 0.5);
      c02 += (out[0] - 1.0) * (out[2] - 0.5);
    }
    double tol = 4 * Math.sqrt(2.0 / DRAWS);
    double v0m = v0 / DRAWS;
    double v2m = v2 / DRAWS;
    double c02m = c02 / DRAWS;
    assertAll(
        () -> assertEquals(2.0, v0m, 2.0 * tol),
        () -> assertEquals(0.5, v2m, 0.5 * tol),
        () -> assertEquals(-0.3, c02m, 1.0 * tol));
  }

  @Test
  void aCovarianceRoundedOffPositiveDefinitenessKeepsEachVariance() {
    double[][] p = {{1.0, 1.0}, {1.0, 1.0}};
    CoefficientPosterior posterior = new CoefficientPosterior(p, k -> true);
    SplittableRandom rng = new SplittableRandom(3);
    double[] out = new double[2];
    double v0 = 0;
    double v1 = 0;
    for (int d = 0; d < DRAWS; d++) {
      posterior.draw(new double[] {0, 0}, 2.0, rng, out);
      v0 += out[0] * out[0];
      v1 += out[1] * out[1];
    }
    double tol = 4 * 4.0 * Math.sqrt(2.0 / DRAWS);
    double v0m = v0 / DRAWS;
    double v1m = v1 / DRAWS;
    assertAll(() -> assertEquals(4.0, v0m, tol), () -> assertEquals(4.0, v1m, tol));
  }
}
