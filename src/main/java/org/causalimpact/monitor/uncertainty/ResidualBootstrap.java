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
    FittedEquation[] eqs = Plan.equations(model, nodes);
    Plan plan = new Plan(eqs, model.windowEnd(), settings);
    int d = nodes.length;
    int horizon = end - start;
    int replicates = settings.replicates();
    double[][][] cf = new double[replicates][][];
    double[][][] iv = withInterventional ? new double[replicates][][] : null;
    double[][] base = new double[model.graph().size()][];
    for (int i = 0; i < d; i++) {
      base[nodes[i]] = eqs[i].coefficients();
    }
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              MovingBlocks.Cursor cursor = plan.cursor(b);
              double[][] refit = plan.refit(eqs, cursor);
              double[][] coef = base.clone();
              for (int i = 0; i < d; i++) {
                coef[nodes[i]] = refit[i];
              }
              double[][] noise = new double[d][horizon];
              for (int h = 0; h < horizon; h++) {
                int index = cursor.next();
                for (int i = 0; i < d; i++) {
                  noise[i][h] = plan.noise(i, index);
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

  /**
   * What every replicate shares: the rows the simulated equations' residuals are resampled from
   * (the rows every equation has, from the latest first row on), the block length and one seed per
   * replicate. Replicate {@code b}'s index series is {@link MovingBlocks#draw} with {@code new
   * SplittableRandom(seeds[b])}: its first {@code lengthBefore} indexes are the pseudo-errors of the
   * refit, the next one per post-period row the noise of that row. It keeps the residuals, not the
   * equations (whose design matrices are large).
   */
  static final class Plan {
    /** Pseudo-errors per position: {@code inflation * residual}, by fit row of the equation. */
    private final double[][] scaledResiduals;
    private final int[] shift;
    private final int lengthBefore;
    private final int sources;
    private final int block;
    private final long[] seeds;

    /**
     * @param equations the simulated nodes' equations, by position
     * @param preEnd row after the fit window
     * @param settings replicates, block length and seed
     */
    Plan(FittedEquation[] equations, int preEnd, IntervalSettings settings) {
      int d = equations.length;
      int commonStart = Integer.MIN_VALUE;
      int longest = 0;
      for (FittedEquation eq : equations) {
        commonStart = Math.max(commonStart, eq.firstRow());
        longest = Math.max(longest, eq.observations());
      }
      sources = preEnd - commonStart;
      block =
          settings.blockLength() > 0
              ? settings.blockLength()
              : MovingBlocks.automaticLength(sources);
      lengthBefore = longest;
      shift = new int[d];
      scaledResiduals = new double[d][];
      for (int i = 0; i < d; i++) {
        FittedEquation eq = equations[i];
        shift[i] = commonStart - eq.firstRow();
        double inflate = eq.residualInflation();
        scaledResiduals[i] = new double[eq.observations()];
        for (int r = 0; r < scaledResiduals[i].length; r++) {
          scaledResiduals[i][r] = inflate * eq.residual(r);
        }
      }
      seeds = new SplittableRandom(settings.seed()).longs(settings.replicates()).toArray();
    }

    /** The equations of the simulated nodes, by position. */
    static FittedEquation[] equations(FittedScm model, int[] nodes) {
      FittedEquation[] eqs = new FittedEquation[nodes.length];
      for (int i = 0; i < nodes.length; i++) {
        eqs[i] = model.equation(nodes[i]);
      }
      return eqs;
    }

    /** Replicate {@code b}'s index series from its first index. */
    MovingBlocks.Cursor cursor(int b) {
      return new MovingBlocks.Cursor(sources, block, new SplittableRandom(seeds[b]));
    }

    /**
     * Takes the first {@code lengthBefore} indexes from {@code cursor} and refits every simulated
     * equation on them: {@code [position][k]}.
     */
    double[][] refit(FittedEquation[] equations, MovingBlocks.Cursor cursor) {
      int[] idx = new int[lengthBefore];
      for (int i = 0; i < lengthBefore; i++) {
        idx[i] = cursor.next();
      }
      double[][] out = new double[equations.length][];
      for (int i = 0; i < equations.length; i++) {
        FittedEquation eq = equations[i];
        out[i] = new double[eq.coefficients().length];
        eq.refitResampled(
            idx, lengthBefore - eq.observations(), shift[i], eq.residualInflation(), out[i]);
      }
      return out;
    }

    /** Skips the first {@code lengthBefore} indexes, the part the refit reads. */
    void skipRefit(MovingBlocks.Cursor cursor) {
      for (int i = 0; i < lengthBefore; i++) {
        cursor.next();
      }
    }

    /** The noise of simulated position {@code i} on a row whose resampled index is {@code index}. */
    double noise(int i, int index) {
      return scaledResiduals[i][index + shift[i]];
    }

    /** {@link #noise(int, int)} of position {@code i} for many indexes at once. */
    void noise(int i, int[] index, double[] out) {
      double[] r = scaledResiduals[i];
      int s = shift[i];
      for (int b = 0; b < out.length; b++) {
        out[b] = r[index[b] + s];
      }
    }

    /** Bytes of the resampled residual rows. */
    long residualBytes() {
      long n = 0;
      for (double[] r : scaledResiduals) {
        n += 8L * r.length;
      }
      return n;
    }
  }

  private static double[][] pick(double[][] all, int[] positions) {
    double[][] out = new double[positions.length][];
    for (int o = 0; o < positions.length; o++) {
      out[o] = all[positions[o]];
    }
    return out;
  }
}
