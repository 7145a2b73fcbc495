package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Metropolis search against the enumeration of every subset, on 8 candidate terms (where the
 * search now runs instead of the enumeration, {@link SubsetSearch#ENUMERATE}) and 3 grid points:
 * the 16 most probable models it returns are the enumeration's, with the same log posteriors.
 */
class SubsetSearchTest {
  private static final int N = 120;
  private static final int K = 8;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void searchFindsTheEnumerationsMostProbableModels(long seed) {
    Random rnd = new Random(seed);
    double[][][] grams = new double[3][][];
    for (int g = 0; g < grams.length; g++) {
      double[][] columns = new double[K + 2][N];
      double[] common = new double[N];
      for (int i = 0; i < N; i++) {
        common[i] = rnd.nextGaussian();
        columns[1][i] = 1;
        for (int k = 0; k < K; k++) {
          columns[k + 2][i] = 0.6 * common[i] + rnd.nextGaussian();
        }
        // two terms matter, a third a little; the grid points differ in their noise
        columns[0][i] =
            columns[2][i] + 0.8 * columns[3][i] + 0.2 * columns[6][i]
                + (1 + 0.3 * g) * rnd.nextGaussian();
      }
      grams[g] = SubsetSearch.gram(columns);
    }
    boolean[] forced = new boolean[K + 1];
    forced[0] = true;
    double[] inclusion = new double[K + 1];
    Arrays.fill(inclusion, 1.0 / K);
    inclusion[0] = 1;
    double[] logDetF = {0, 0.5, 1.0};
    double[] logPrior = {Math.log(0.5), Math.log(0.3), Math.log(0.2)};
    List<SubsetSearch.Model> all =
        SubsetSearch.search(grams, logDetF, logPrior, forced, inclusion, N, 16, K);
    List<SubsetSearch.Model> searched =
        SubsetSearch.search(grams, logDetF, logPrior, forced, inclusion, N, 16, K - 1);
    assertEquals(16, all.size());
    assertEquals(16, searched.size());
    double best = all.get(0).logPosterior();
    for (int m = 0; m < all.size(); m++) {
      if (all.get(m).logPosterior() < best - 8) {
        break; // below e^-8 of the best, a model's weight no longer matters
      }
      assertEquals(all.get(m).grid(), searched.get(m).grid(), "model " + m);
      assertEquals(all.get(m).terms(), searched.get(m).terms(), "model " + m);
      assertEquals(all.get(m).logPosterior(), searched.get(m).logPosterior(), 1e-12);
    }
    assertTrue(all.get(0).terms().get(1) && all.get(0).terms().get(2), all.get(0).terms().toString());
  }
}
