package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * The dense models' scores against the marginal likelihood written out in the data's own {@code n}
 * dimensions, and on the same scale as the subsets' scores of {@link SubsetSearch}: for a prior
 * {@code b ~ N(0, sigma^2 V)} on the parents' coefficients (the forced ones flat, {@code sigma^2}
 * with prior {@code 1/sigma^2}), up to a constant common to all models,
 *
 * <pre>
 *   log m = -1/2 log det S - 1/2 log det(F'S^-1 F) - (n - p_F)/2 log(z'Q z),
 *   S = I + W V W',  Q = S^-1 - S^-1 F (F'S^-1 F)^-1 F'S^-1,
 * </pre>
 *
 * with {@code V = Lambda^-1} for the dense models and {@code V = g (W~'W~)^-1} (Zellner's prior on
 * the subset's columns {@code W~} given the forced ones) for the subsets.
 */
class DenseShrinkageTest {
  private static final int N = 25;
  private static final int K = 4;

  @Test
  void scoresAreMarginalLikelihoodsOnTheSubsetsScale() {
    Random rnd = new Random(11);
    double[][] columns = new double[K + 2][N];
    for (int i = 0; i < N; i++) {
      columns[1][i] = 1; // the forced intercept
      for (int k = 0; k < K; k++) {
        columns[k + 2][i] = rnd.nextGaussian() + 0.3 * k * columns[2][i];
      }
      columns[0][i] = 2 + 0.4 * columns[2][i] - 0.2 * columns[4][i] + rnd.nextGaussian();
    }
    double[][][] grams = {SubsetSearch.gram(columns)};
    boolean[] forced = {true, false, false, false, false};
    double[] inclusion = {1, 0.25, 0.25, 0.25, 0.25};
    List<DenseShrinkage.Model> dense =
        DenseShrinkage.score(grams, new double[1], new double[1], forced, not(forced), N);
    List<SubsetSearch.Model> subsets =
        SubsetSearch.search(grams, new double[1], new double[1], forced, inclusion, N, 64, K);
    assertEquals(DenseShrinkage.SIGNAL_TO_NOISE.length, dense.size());
    assertEquals(1 << K, subsets.size());

    double logEach = Math.log(DenseShrinkage.PRIOR / DenseShrinkage.SIGNAL_TO_NOISE.length);
    DenseShrinkage.Model first = dense.get(0);
    double[] penalty = DenseShrinkage.penalty(grams[0], forced, not(forced), first.lambda());
    double constant = first.logPosterior() - logEach - direct(columns, denseCov(penalty));
    for (DenseShrinkage.Model d : dense) {
      double[] pen = DenseShrinkage.penalty(grams[0], forced, not(forced), d.lambda());
      double expected = direct(columns, denseCov(pen)) + constant + logEach;
      assertEquals(expected, d.logPosterior(), 1e-8, "lambda " + d.lambda());
    }
    for (SubsetSearch.Model m : subsets) {
      BitSet t = m.terms();
      int k = t.cardinality() - 1;
      double logPrior = k * Math.log(0.25) + (K - k) * Math.log(0.75);
      double expected = direct(columns, zellnerCov(columns, t)) + constant + logPrior;
      assertEquals(expected, m.logPosterior(), 1e-8, "subset " + t);
    }
  }

  @Test
  void penaltyIsZeroOnForcedTermsAndScalesWithLambda() {
    Random rnd = new Random(3);
    double[][] columns = new double[4][30];
    for (int i = 0; i < 30; i++) {
      columns[0][i] = rnd.nextGaussian();
      columns[1][i] = 1;
      columns[2][i] = 5 + 10 * rnd.nextGaussian();
      columns[3][i] = rnd.nextGaussian();
    }
    double[][] gram = SubsetSearch.gram(columns);
    boolean[] forced = {true, false, false};
    double[] one = DenseShrinkage.penalty(gram, forced, not(forced), 1.0);
    double[] two = DenseShrinkage.penalty(gram, forced, not(forced), 2.0);
    assertEquals(0, one[0]);
    // lambda times the column's sum of squares about its mean (the intercept regressed out)
    double mean = 0;
    for (double v : columns[2]) {
      mean += v / 30;
    }
    double ss = 0;
    for (double v : columns[2]) {
      ss += (v - mean) * (v - mean);
    }
    assertEquals(ss, one[1], 1e-9 * ss);
    assertEquals(2 * one[2], two[2], 1e-12 * two[2]);
    assertTrue(one[2] > 0);
  }

  @Test
  void notOfferedWithFewerThanOneAndAHalfRowsPerParentTerm() {
    double[][] columns = new double[12][];
    Random rnd = new Random(5);
    int n = 16; // 15 rows beyond the intercept for 10 parent terms: 1.5 a term, offered
    for (int c = 0; c < columns.length; c++) {
      columns[c] = new double[n];
      for (int i = 0; i < n; i++) {
        columns[c][i] = c == 1 ? 1 : rnd.nextGaussian();
      }
    }
    boolean[] forced = new boolean[11];
    forced[0] = true;
    double[][][] grams = {SubsetSearch.gram(columns)};
    boolean[] shrunk = not(forced);
    assertEquals(
        DenseShrinkage.SIGNAL_TO_NOISE.length,
        DenseShrinkage.score(grams, new double[1], new double[1], forced, shrunk, n).size());
    assertTrue(
        DenseShrinkage.score(grams, new double[1], new double[1], forced, shrunk, n - 1)
            .isEmpty());
  }

  /** A term neither forced nor shrunk is left out: the scores are those without its column. */
  @Test
  void aTermLeftOutIsAsAbsent() {
    Random rnd = new Random(9);
    double[][] with = new double[5][40];
    for (int i = 0; i < 40; i++) {
      with[1][i] = 1;
      for (int c : new int[] {0, 2, 3, 4}) {
        with[c][i] = rnd.nextGaussian() + (c == 0 ? with[2][i] : 0);
      }
    }
    double[][] without = {with[0], with[1], with[2], with[3]};
    List<DenseShrinkage.Model> a =
        DenseShrinkage.score(
            new double[][][] {SubsetSearch.gram(with)}, new double[1], new double[1],
            new boolean[] {true, false, false, false}, new boolean[] {false, true, true, false},
            40);
    List<DenseShrinkage.Model> b =
        DenseShrinkage.score(
            new double[][][] {SubsetSearch.gram(without)}, new double[1], new double[1],
            new boolean[] {true, false, false}, new boolean[] {false, true, true}, 40);
    assertEquals(b.size(), a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(b.get(i).logPosterior(), a.get(i).logPosterior(), 1e-9);
    }
  }

  private static boolean[] not(boolean[] b) {
    boolean[] out = new boolean[b.length];
    for (int k = 0; k < b.length; k++) {
      out[k] = !b[k];
    }
    return out;
  }

  /** {@code V = Lambda^-1} on the parents' terms (0 on the intercept, which is flat). */
  private static double[][] denseCov(double[] penalty) {
    double[][] v = new double[K][K];
    for (int k = 0; k < K; k++) {
      v[k][k] = 1 / penalty[k + 1];
    }
    return v;
  }

  /** {@code V = g (W~'W~)^-1} on the subset's terms ({@code g = n}), 0 elsewhere. */
  private static double[][] zellnerCov(double[][] columns, BitSet terms) {
    int[] in = terms.stream().filter(j -> j > 0).toArray();
    double[][] v = new double[K][K];
    if (in.length == 0) {
      return v;
    }
    RealMatrix w = MatrixUtils.createRealMatrix(N, in.length);
    for (int a = 0; a < in.length; a++) {
      double mean = 0;
      for (int i = 0; i < N; i++) {
        mean += columns[in[a] + 1][i] / N;
      }
      for (int i = 0; i < N; i++) {
        w.setEntry(i, a, columns[in[a] + 1][i] - mean);
      }
    }
    RealMatrix inv = new LUDecomposition(w.transpose().multiply(w)).getSolver().getInverse();
    for (int a = 0; a < in.length; a++) {
      for (int b = 0; b < in.length; b++) {
        v[in[a] - 1][in[b] - 1] = N * inv.getEntry(a, b);
      }
    }
    return v;
  }

  /** The marginal likelihood in {@code n} dimensions, as the class Javadoc writes it. */
  private static double direct(double[][] columns, double[][] v) {
    RealMatrix w = MatrixUtils.createRealMatrix(N, K);
    RealMatrix f = MatrixUtils.createRealMatrix(N, 1);
    RealMatrix z = MatrixUtils.createRealMatrix(N, 1);
    for (int i = 0; i < N; i++) {
      f.setEntry(i, 0, columns[1][i]);
      z.setEntry(i, 0, columns[0][i]);
      for (int k = 0; k < K; k++) {
        w.setEntry(i, k, columns[k + 2][i]);
      }
    }
    RealMatrix s =
        MatrixUtils.createRealIdentityMatrix(N)
            .add(w.multiply(new Array2DRowRealMatrix(v)).multiply(w.transpose()));
    s = s.add(s.transpose()).scalarMultiply(0.5); // symmetric to the last bit
    CholeskyDecomposition chol = new CholeskyDecomposition(s);
    RealMatrix sInv = chol.getSolver().getInverse();
    RealMatrix fsf = f.transpose().multiply(sInv).multiply(f);
    RealMatrix q =
        sInv.subtract(
            sInv.multiply(f)
                .multiply(new LUDecomposition(fsf).getSolver().getInverse())
                .multiply(f.transpose())
                .multiply(sInv));
    double quad = z.transpose().multiply(q).multiply(z).getEntry(0, 0);
    return -0.5 * Math.log(chol.getDeterminant())
        - 0.5 * Math.log(new LUDecomposition(fsf).getDeterminant())
        - 0.5 * (N - 1) * Math.log(quad);
  }
}
