package org.causalimpact.monitor.uncertainty;

import java.util.stream.IntStream;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * The paths of {@link ResidualBootstrap} advanced one post-period row at a time, equal to them bit
 * for bit: the same replicates, refits and noise.
 *
 * <p>A replicate's resampled index series is prefix-stable ({@link MovingBlocks.Cursor}) and its
 * block length depends only on the pre-period, so its refit reads only the first {@code
 * lengthBefore} indexes, whatever the horizon, and the noise of post-period row {@code h} is index
 * {@code lengthBefore + h}. {@link #start} refits every replicate once (the cost of the batch
 * bootstrap's refits) and leaves each replicate's cursor after its refit part; {@link #step} then
 * draws one index per replicate and simulates one row of both worlds for all replicates at once
 * ({@link WorldSimulator#stepPaths}).
 *
 * <p>Memory per replicate: the refitted coefficients ({@code 8} bytes each, all simulated
 * equations), its generator and cursor (about 64 bytes), the resampled index and the noise of one
 * row ({@code 4} bytes, and {@code 8} per simulated node); shared: the inflated residuals of the simulated equations ({@code 8} bytes
 * per pre-period row and node). Not thread-safe.
 */
public final class StreamingBootstrap {
  private final ResidualBootstrap.Plan plan;
  private final int replicates;
  /** {@code [pos][k][replicate]}. */
  private final double[][][] coefficients;
  private final MovingBlocks.Cursor[] cursors;
  /** {@code [pos][replicate]}, the noise of the current row. */
  private final double[][] noise;
  /** {@code [replicate]}, the resampled residual row of the current row. */
  private final int[] rowIndex;

  private StreamingBootstrap(
      ResidualBootstrap.Plan plan,
      double[][][] coefficients,
      MovingBlocks.Cursor[] cursors,
      int simulated) {
    this.plan = plan;
    this.replicates = cursors.length;
    this.coefficients = coefficients;
    this.cursors = cursors;
    this.noise = new double[simulated][replicates];
    this.rowIndex = new int[replicates];
  }

  /**
   * Refits every replicate on its resampled pre-period residuals, in parallel (each replicate has its
   * own generator, so the result does not depend on the threads).
   *
   * @param model the model fitted on the pre-period
   * @param worlds the simulator of the intervention
   * @param settings replicates, block length and seed
   */
  public static StreamingBootstrap start(
      FittedScm model, WorldSimulator worlds, IntervalSettings settings) {
    int[] nodes = worlds.simulatedNodes();
    FittedEquation[] eqs = ResidualBootstrap.Plan.equations(model, nodes);
    ResidualBootstrap.Plan plan = new ResidualBootstrap.Plan(eqs, model.windowEnd(), settings);
    int replicates = settings.replicates();
    double[][][] coef = new double[nodes.length][][];
    for (int i = 0; i < nodes.length; i++) {
      coef[i] = new double[eqs[i].coefficients().length][replicates];
    }
    MovingBlocks.Cursor[] cursors = new MovingBlocks.Cursor[replicates];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              cursors[b] = plan.cursor(b);
              double[][] refit = plan.refit(eqs, cursors[b]);
              for (int i = 0; i < refit.length; i++) {
                for (int k = 0; k < refit[i].length; k++) {
                  coef[i][k][b] = refit[i][k];
                }
              }
            });
    return new StreamingBootstrap(plan, coef, cursors, nodes.length);
  }

  public int replicates() {
    return replicates;
  }

  /**
   * Simulates row {@code t} of every replicate: draws each replicate's next resampled residual row
   * as the noise and runs {@link WorldSimulator#stepPaths} with the refitted coefficients. The
   * {@code n}-th call after {@link #start} or {@link #restart} must be for row {@code start + n - 1}.
   *
   * @param worlds the simulator of the intervention (with its current action end)
   * @param start the first post-period row
   * @param t the row to simulate
   * @param counterfactual ring buffer {@code [pos][slot][replicate]}
   * @param interventional ring buffer, or {@code null}
   */
  public void step(
      WorldSimulator worlds,
      int start,
      int t,
      double[][][] counterfactual,
      double[][][] interventional) {
    for (int b = 0; b < replicates; b++) {
      rowIndex[b] = cursors[b].next();
    }
    for (int i = 0; i < noise.length; i++) {
      plan.noise(i, rowIndex, noise[i]);
    }
    worlds.stepPaths(coefficients, start, t, noise, counterfactual, interventional);
  }

  /**
   * Puts every replicate back at the first post-period row, for a replay of the rows since the
   * start (e.g. when the action end turns out to lie in the past). Costs one pass over each
   * replicate's pre-period indexes, no refit.
   */
  public void restart() {
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              MovingBlocks.Cursor c = plan.cursor(b);
              plan.skipRefit(c);
              cursors[b] = c;
            });
  }

  /** Approximate bytes held: arrays, generators and cursors. */
  public long bytes() {
    long coef = 0;
    for (double[][] perPosition : coefficients) {
      coef += 8L * perPosition.length * replicates;
    }
    return coef + 68L * replicates + 8L * noise.length * replicates + plan.residualBytes();
  }
}
