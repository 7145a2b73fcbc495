package org.causalimpact.monitor.uncertainty;

import java.util.stream.IntStream;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * The paths of {@link ResidualBootstrap} advanced one post-period row at a time, equal to them bit
 * for bit: the same replicates, draws, refits and noise.
 *
 * <p>A replicate's resampled index series is prefix-stable ({@link MovingBlocks.Cursor}) and its
 * block length depends only on the pre-period, so its refit reads only the first {@code
 * lengthBefore} indexes, whatever the horizon, and the noise of post-period row {@code h} is index
 * {@code lengthBefore + h}. {@link #start} refits every replicate once (the cost of the batch
 * bootstrap's refits) and leaves each replicate's cursor after its refit part; {@link #step} then
 * draws one row of noise per replicate (through the error's state for a state-space equation,
 * {@link BootstrapPlan#noise}) and simulates one row of both worlds for all replicates at
 * once ({@link WorldSimulator#stepPaths}).
 *
 * <p>Memory per replicate: the refitted coefficients ({@code 8} bytes each, all simulated
 * equations), its generator and cursor (about 64 bytes), per simulated node its component, scale
 * and error state with its start ({@code 12 + 16 m} bytes, {@code m <= 3}, state-space
 * equations only) and one row of noise ({@code 8} bytes
 * per simulated node); shared: the inflated residuals of the simulated equations ({@code 8} bytes
 * per pre-period row and node) and the forecast gains of each state-space component. Not
 * thread-safe.
 */
public final class StreamingBootstrap {
  private final BootstrapPlan plan;
  private final int replicates;
  /** {@code [pos][k][replicate]}. */
  private final double[][][] coefficients;
  /** {@code [replicate]}: the resampled-index cursor, at the next post-period row. */
  private final MovingBlocks.Cursor[] cursors;
  /** {@code [pos][replicate]}, the noise of the current row. */
  private final double[][] noise;
  private final int[] rowIndex;
  private final BootstrapPlan.Lanes lanes;
  private int step;

  private StreamingBootstrap(
      BootstrapPlan plan,
      double[][][] coefficients,
      BootstrapPlan.Replicate[] draws,
      int simulated) {
    this.plan = plan;
    this.replicates = draws.length;
    this.coefficients = coefficients;
    // only the cursors and the draws laid out by position stay: a replicate's own refit and error
    // states are copies of the lanes
    this.cursors = new MovingBlocks.Cursor[replicates];
    for (int b = 0; b < replicates; b++) {
      cursors[b] = draws[b].cursor;
    }
    this.noise = new double[simulated][replicates];
    this.rowIndex = new int[replicates];
    this.lanes = plan.new Lanes(draws);
  }

  /**
   * Refits every replicate on its resampled pre-period residuals, in parallel (each replicate has its
   * own generators, so the result does not depend on the threads).
   *
   * @param model the model fitted on the pre-period
   * @param worlds the simulator of the intervention
   * @param settings replicates, block length and seed
   * @param horizon the most post-period rows that will be stepped
   */
  public static StreamingBootstrap start(
      FittedScm model, WorldSimulator worlds, IntervalSettings settings, int horizon) {
    int[] nodes = worlds.simulatedNodes();
    BootstrapPlan plan = new BootstrapPlan(model, nodes, settings, horizon);
    int replicates = plan.replicates();
    double[][][] coef = new double[nodes.length][][];
    for (int i = 0; i < nodes.length; i++) {
      coef[i] = new double[model.equation(nodes[i]).coefficients().length][replicates];
    }
    BootstrapPlan.Replicate[] draws = new BootstrapPlan.Replicate[replicates];
    IntStream.range(0, replicates)
        .parallel()
        .forEach(
            b -> {
              draws[b] = plan.replicate(model, b);
              double[][] refit = draws[b].coefficients;
              for (int i = 0; i < refit.length; i++) {
                for (int k = 0; k < refit[i].length; k++) {
                  coef[i][k][b] = refit[i][k];
                }
              }
            });
    return new StreamingBootstrap(plan, coef, draws, nodes.length);
  }

  public int replicates() {
    return replicates;
  }

  /**
   * Simulates row {@code t} of every replicate: draws each replicate's next row of noise and runs
   * {@link WorldSimulator#stepPaths} with the refitted coefficients. The {@code n}-th call after
   * {@link #start} or {@link #restart} must be for row {@code start + n - 1}.
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
    // one resampled row per replicate, then each position's noise for all replicates at once
    for (int b = 0; b < replicates; b++) {
      rowIndex[b] = cursors[b].next();
    }
    plan.noiseAll(lanes, step, rowIndex, noise);
    step++;
    worlds.stepPaths(coefficients, start, t, noise, counterfactual, interventional);
  }

  /**
   * Puts every replicate back at the first post-period row, for a replay of the rows since the
   * start (e.g. when the action end turns out to lie in the past). Costs one pass over each
   * replicate's pre-period indexes, no refit.
   */
  public void restart() {
    IntStream.range(0, replicates).parallel().forEach(b -> cursors[b] = plan.cursorAfterRefit(b));
    lanes.rewind();
    step = 0;
  }

  /** Approximate bytes held: arrays, generators, cursors and error states. */
  public long bytes() {
    long coef = 0;
    for (double[][] perPosition : coefficients) {
      coef += 8L * perPosition.length * replicates;
    }
    return coef
        + (68L + lanes.bytesPerReplicate()) * replicates
        + 8L * noise.length * replicates
        + plan.residualBytes();
  }
}
