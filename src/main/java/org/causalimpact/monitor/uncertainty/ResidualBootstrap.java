package org.causalimpact.monitor.uncertainty;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * Moving-block residual bootstrap of the counterfactual and interventional paths, with refit.
 *
 * <p>For each replicate: (1) the residual rows of the simulated nodes' equations are resampled
 * jointly in moving blocks (so cross-node and serial dependence within a block are kept) and
 * inflated by {@code sqrt(n / (n - p))}; (2) each equation is refitted on the pseudo-responses
 * {@code X b + e*} under a fixed design, {@code b* = b + P X' e*} (parameter uncertainty); (3) both
 * worlds are simulated over the post-period with {@code b*} and the next resampled residual blocks
 * as noise, the same noise in both worlds (predictive uncertainty). The fixed-design residual
 * bootstrap for regressions with lagged dependent variables is studied by Goncalves and Kilian
 * (2004, J. Econometrics 123:89).
 *
 * <p>Replicates run in parallel; each has its own generator split from the seed, so results do
 * not depend on the number of threads.
 */
public final class ResidualBootstrap {
  private ResidualBootstrap() {}

  /**
   * Simulated paths of the outcomes.
   *
   * @param counterfactual {@code [replicate][outcome][h]}
   * @param interventional {@code [replicate][outcome][h]}, or {@code null}
   */
  public record Paths(double[][][] counterfactual, double[][][] interventional) {}

  /**
   * @param model the fitted SCM
   * @param worlds the simulator of this intervention
   * @param outcomes positions (in {@code worlds}) of the outcome nodes
   * @param start first post-period row
   * @param end row after the post-period
   * @param withInterventional whether to simulate the interventional world
   * @param settings replicates, block length and seed
   */
  public static Paths run(
      FittedScm model,
      WorldSimulator worlds,
      int[] outcomes,
      int start,
      int end,
      boolean withInterventional,
      IntervalSettings settings) {
    int[] nodes = worlds.simulatedNodes();
    int d = nodes.length;
    FittedEquation[] eqs = new FittedEquation[d];
    int commonStart = Integer.MIN_VALUE;
    int longest = 0;
    for (int i = 0; i < d; i++) {
      eqs[i] = model.equation(nodes[i]);
      commonStart = Math.max(commonStart, eqs[i].firstRow());
      longest = Math.max(longest, eqs[i].observations());
    }
    int preEnd = model.windowEnd();
    int sources = preEnd - commonStart;
    int block =
        settings.blockLength() > 0 ? settings.blockLength() : MovingBlocks.automaticLength(sources);
    int horizon = end - start;
    int replicates = settings.replicates();
    double[][][] cf = new double[replicates][][];
    double[][][] iv = withInterventional ? new double[replicates][][] : null;
    long[] seeds = new SplittableRandom(settings.seed()).longs(replicates).toArray();
    double[][] base = new double[model.graph().size()][];
    for (int i = 0; i < d; i++) {
      base[nodes[i]] = eqs[i].coefficients();
    }
    final int lengthBefore = longest;
    final int common = commonStart;
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              SplittableRandom rng = new SplittableRandom(seeds[b]);
              int[] idx = MovingBlocks.draw(sources, lengthBefore + horizon, block, rng);
              double[][] coef = base.clone();
              double[][] noise = new double[d][horizon];
              for (int i = 0; i < d; i++) {
                FittedEquation eq = eqs[i];
                int n = eq.observations();
                double inflate = eq.residualInflation();
                int offset = lengthBefore - n;
                int shift = common - eq.firstRow();
                double[] refit = new double[base[nodes[i]].length];
                eq.refitResampled(idx, offset, shift, inflate, refit);
                coef[nodes[i]] = refit;
                for (int h = 0; h < horizon; h++) {
                  noise[i][h] = inflate * eq.residual(idx[lengthBefore + h] + shift);
                }
              }
              double[][] cfAll = new double[d][horizon];
              double[][] ivAll = withInterventional ? new double[d][horizon] : null;
              worlds.run(coef, start, end, noise, cfAll, ivAll);
              cf[b] = pick(cfAll, outcomes);
              if (withInterventional) {
                iv[b] = pick(ivAll, outcomes);
              }
            });
    return new Paths(cf, iv);
  }

  private static double[][] pick(double[][] all, int[] positions) {
    double[][] out = new double[positions.length][];
    for (int o = 0; o < positions.length; o++) {
      out[o] = all[positions[o]];
    }
    return out;
  }
}
