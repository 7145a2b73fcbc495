package org.causalimpact.monitor.scm;

import java.util.Arrays;

/**
 * The gains of a {@link NoiseProcess}'s filter row by row: {@code F_t}, {@code K_t} and the
 * covariance recursion {@code P_{t+1} = T P_t T' + Q - M_t M_t' / F_t} with {@code M_t = T P_t
 * Z'}, which does not depend on the data. Once the recursion has converged (the covariance changes
 * by less than {@code 1e-15} relative in every element) it stops and keeps the steady-state gains.
 * Not thread-safe.
 */
final class FilterGains {
  private final double[][] transition;
  private final double[][] disturbance;
  private final double[] observation;
  private final double observationVariance;
  private final int m;
  private double[][] p;
  private double[][] scratch;
  private final double[] mv;
  /** {@code K_t}. */
  final double[] k;
  double f;
  double sqrtF;
  double logF;
  /** Whether the recursion has converged. */
  boolean steady;

  /**
   * @param start {@code P} of the first row (copied)
   */
  FilterGains(
      double[][] transition,
      double[][] disturbance,
      double[] observation,
      double observationVariance,
      double[][] start) {
    this.transition = transition;
    this.disturbance = disturbance;
    this.observation = observation;
    this.observationVariance = observationVariance;
    this.m = observation.length;
    this.scratch = new double[m][m];
    this.mv = new double[m];
    this.k = new double[m];
    this.p = copy(start);
    compute();
  }

  private void compute() {
    f = observationVariance + quadratic(p, observation);
    sqrtF = Math.sqrt(f);
    logF = Math.log(f);
    gainNumerator(p, mv);
    for (int i = 0; i < m; i++) {
      k[i] = mv[i] / f;
    }
  }

  /** Moves to the next row. */
  void next() {
    if (steady) {
      return;
    }
    double[][] q = predict(p, mv, f, scratch);
    boolean same = true;
    for (int i = 0; i < m && same; i++) {
      for (int j = 0; j < m; j++) {
        if (Math.abs(q[i][j] - p[i][j]) > 1e-15 * (Math.abs(p[i][j]) + 1e-300)) {
          same = false;
          break;
        }
      }
    }
    scratch = p;
    p = q;
    steady = same;
    compute();
  }

  /** {@code P} of the current row (a copy). */
  double[][] covariance() {
    return copy(p);
  }

  /** {@code T P Z'} into {@code out}. */
  private void gainNumerator(double[][] p, double[] out) {
    for (int i = 0; i < m; i++) {
      double s = 0;
      for (int k = 0; k < m; k++) {
        double tpz = 0;
        for (int l = 0; l < m; l++) {
          tpz += p[k][l] * observation[l];
        }
        s += transition[i][k] * tpz;
      }
      out[i] = s;
    }
  }

  /** {@code T P T' + Q - M M' / F} into {@code out}, which must not be {@code p}. */
  private double[][] predict(double[][] p, double[] mv, double f, double[][] out) {
    for (int i = 0; i < m; i++) {
      for (int j = i; j < m; j++) {
        double s = 0;
        for (int k = 0; k < m; k++) {
          double tpk = 0;
          for (int l = 0; l < m; l++) {
            tpk += p[k][l] * transition[j][l];
          }
          s += transition[i][k] * tpk;
        }
        double v = s + disturbance[i][j] - mv[i] * mv[j] / f;
        out[i][j] = v;
        out[j][i] = v;
      }
    }
    return out;
  }

  private static double quadratic(double[][] p, double[] z) {
    double s = 0;
    for (int i = 0; i < z.length; i++) {
      for (int j = 0; j < z.length; j++) {
        s += z[i] * p[i][j] * z[j];
      }
    }
    return s;
  }

  private static double[][] copy(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = Arrays.copyOf(x[i], x[i].length);
    }
    return out;
  }
}
