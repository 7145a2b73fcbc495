package org.causalimpact.monitor.impact;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ExpandingPermutationInference;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;
import org.causalimpact.monitor.uncertainty.StreamingBootstrap;
import org.causalimpact.monitor.uncertainty.TailPair;

/**
 * {@link ImpactAnalyzer#analyze} of one intervention advanced one post-period row at a time, for the
 * stream: after {@code k} calls of {@link #advance}, the step it returns for each outcome is the
 * {@code k}-th step ({@code series().get(k - 1)}) of the batch analysis of the same rows (the table
 * through post-period row {@code k}, the same pre-period start, intervention, fit options and
 * interval settings), with the two p-values of that analysis's summary, {@link
 * Summary#pValueBootstrap} and {@link Summary#pValueConformal}.
 *
 * <p>{@link #start} does the parts that do not depend on the post-period, once: the fit on the
 * pre-period, the refit of every rolling-origin calibration origin, and the refit of every
 * bootstrap replicate, whose resampled-index cursor then waits at its first post-period index.
 * {@link #advance} costs {@code O(B d p + m d p)} for {@code B} replicates, {@code m} calibration
 * origins and {@code d} simulated equations of {@code p} terms, independent of how many rows came
 * before: one row of the mean paths and of every replicate's paths ({@link StreamingBootstrap}),
 * running sums per replicate, the percentile intervals by a tail selection ({@link TailPair}, each
 * quantity's cuts carried from one step to the next about its point value), and one horizon of
 * every calibration origin that reaches it with the conformal bounds selected from its scores
 * ({@link RollingOriginCalibration}; nothing once the horizon passes the calibration span). The
 * one part that grows with the rows is the permutation p-value ({@link
 * ExpandingPermutationInference}, {@code O((n_pre + k) p)}), used only for an outcome whose parents the intervention leaves alone
 * and only at horizons with too few calibration origins for the split-conformal p-value, as in the
 * batch.
 *
 * <p>Equality with the batch: every number of a step is computed with the same operations in the
 * same order as the batch does, so they agree bit for bit, except the permutation p-value, whose
 * refit here solves normal equations instead of a QR decomposition (about 1e-12 relative in the
 * residuals; see {@link ExpandingPermutationInference}).
 *
 * <p>Memory per active intervention ({@link #retainedBytes} estimates it), with {@code B}
 * replicates, {@code d} simulated nodes with {@code P} coefficients in all, history {@code W} (the
 * largest lag + 1), {@code O} outcomes, {@code w = 2} worlds with do-actions and 1 without:
 *
 * <ul>
 *   <li>per replicate: {@code 8 (P + w d W + d + w O + 1) + 64} bytes (refitted coefficients, the
 *       worlds' last {@code W} rows, one row of noise, two running sums per outcome, room in the
 *       percentile selection, the generator and its block cursor): about 350 bytes for a 4-node
 *       chain with {@code do()} on its root and 3 outcomes, so about 0.35 MB for 1,000 replicates;
 *   <li>the observed values of every node from row 0 through the last row advanced (the post-period
 *       part grows by doubling, from room for 64 rows), and the pre-period residuals of the
 *       simulated equations: {@code 8} bytes per row and node; each outcome's pre-period
 *       observed values and one-step predictions ({@link PrePeriodFit}), {@code 16} bytes per row;
 *   <li>the calibration: per origin (at most 400) its refitted coefficients, its last {@code W}
 *       simulated rows, its running error sums and room for one score, {@code 8 (P + d W + 3 O +
 *       1)} bytes; no score is kept past its step;
 *   <li>for each outcome the permutation test may need: its design, {@code 8 (p + 1)} bytes per row
 *       of pre-period and of post-period so far (also growing by doubling).
 * </ul>
 *
 * For the 4-node chain of {@code LiveAnalysesHeap} (1,440-row pre-period, 3 outcomes, 1,000
 * replicates, largest horizon 10,000): about 0.60 MiB after 10 rows (heap after GC of 1,000 of
 * them). The fitted model is not kept, only its equations' summaries and effects for {@link
 * #summary}.
 *
 * <p>Not thread-safe: one instance belongs to one intervention of one stream task.
 */
public final class StreamingAnalysis {
  /**
   * One outcome's result for one post-period row.
   *
   * @param node the outcome node
   * @param impact the step, equal to the batch analysis's step
   * @param pValueBootstrap the batch summary's bootstrap p-value over the rows so far
   * @param pValueConformal the batch summary's conformal p-value over the rows so far, or {@code
   *     null} where it has none
   * @param conformalTest the method of that p-value, {@code null} with none
   */
  public record OutcomeStep(
      String node,
      StepImpact impact,
      double pValueBootstrap,
      Double pValueConformal,
      ConformalTest conformalTest) {
    public OutcomeStep {
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(impact, "impact");
    }
  }

  private final String monitor;
  private final String interventionId;
  private final CausalGraph graph;
  private final int start;
  private final int maxHorizon;
  private final double level;
  /**
   * {@code [node][row]} from row 0, filled through the last row advanced; each node's array grows
   * (the post-period part doubling) as rows arrive, in place, since the simulator and the
   * permutation tests read it.
   */
  private final double[][] observed;

  private final List<String> outcomes;
  private final int[] outcomeNodes;
  private final int[] outcomePositions;
  private final boolean hasActions;
  private WorldSimulator worlds;

  private final MeanPaths mean;
  private final ReplicatePaths replicates;
  private final double[] cumActual;
  private final double[] cumPoint;

  private final StreamingConformal conformal;
  private final StepPercentiles percentiles;
  private final RunningSummary summary;
  private int steps;

  private StreamingAnalysis(StreamingSetup b) {
    this.monitor = b.monitor;
    this.interventionId = b.intervention.id();
    this.graph = b.graph;
    this.start = b.intervention.start();
    this.maxHorizon = b.maxHorizon;
    this.level = b.intervals.level();
    this.observed = b.observed;
    this.outcomes = b.prepared.outcomes();
    this.worlds = b.worlds;
    this.hasActions = !b.intervention.actions().isEmpty();
    this.outcomeNodes = outcomes.stream().mapToInt(graph::indexOf).toArray();
    this.outcomePositions = Arrays.stream(outcomeNodes).map(worlds::positionOf).toArray();

    FittedScm model = b.prepared.model();
    this.mean = new MeanPaths(model, worlds, hasActions);
    this.replicates =
        new ReplicatePaths(model, worlds, b.intervals, maxHorizon, outcomePositions, hasActions);
    int o = outcomes.size();
    this.cumActual = new double[o];
    this.cumPoint = new double[o];
    this.percentiles = new StepPercentiles(o, replicates.replicates(), level);
    this.conformal = new StreamingConformal(b, outcomeNodes, outcomePositions);
    this.summary = new RunningSummary(b, o);
  }

  /**
   * Sets up the analysis of an intervention before its first post-period row: fits the model on
   * rows {@code [preStart, intervention.start())}, calibrates, and refits the bootstrap replicates.
   * Costs about as much as one batch analysis with a short post-period.
   *
   * @param monitor the monitor's name
   * @param graph the causal graph; every node must be a column of {@code table}
   * @param table the rows from row 0 (the rows before {@code preStart} serve as lags) through at
   *     least the row before the intervention starts; rows from {@code intervention.start()} on are
   *     ignored: feed them to {@link #advance}, in order
   * @param preStart first row of the pre-period
   * @param intervention what is done, from which row ({@code start}), the outcomes, and the action
   *     end if already known; its {@code end}, if set, caps the horizon
   * @param fit fit options
   * @param intervals interval settings (level, replicates, block length, calibration, seed)
   * @param maxHorizon the most post-period rows that will be advanced (the stream's {@code
   *     maxPostRows}); the calibration is computed up to it
   * @throws InputException when the batch analysis would reject the pre-period (too short, a
   *     constant outcome, a collinear term, a non-finite value, an unknown node)
   * @throws IllegalArgumentException if {@code maxHorizon < 1}
   */
  public static StreamingAnalysis start(
      String monitor,
      CausalGraph graph,
      TimeSeriesTable table,
      int preStart,
      Intervention intervention,
      FitOptions fit,
      IntervalSettings intervals,
      int maxHorizon) {
    return new StreamingAnalysis(
        new StreamingSetup(
            monitor, graph, table, preStart, intervention, fit, intervals, maxHorizon));
  }

  /**
   * Takes the next post-period row and returns its step for every outcome, in the order of {@link
   * #outcomes}.
   *
   * @param values the row's observed value per graph node index
   * @param label the row's label (the stream uses ISO instants), or {@code null} for the row index
   * @throws InputException if a value is not finite (the batch analysis rejects such a table)
   * @throws IllegalStateException if {@link #maxHorizon} rows were already advanced
   */
  public List<OutcomeStep> advance(double[] values, String label) {
    if (steps >= maxHorizon) {
      throw new IllegalStateException(
          "intervention '" + interventionId + "' already has " + steps
              + " post-period rows, the largest horizon it was set up for");
    }
    int t = start + steps;
    StreamingSetup.checkRow(graph, values, t);
    if (t == observed[0].length) {
      int length =
          Math.min(start + maxHorizon, t + Math.max(StreamingSetup.FIRST_POST_CAPACITY, steps));
      for (int j = 0; j < observed.length; j++) {
        observed[j] = Arrays.copyOf(observed[j], length);
      }
    }
    for (int j = 0; j < values.length; j++) {
      observed[j][t] = values[j];
    }
    simulate(t);
    conformal.addRow(t);
    steps++;
    return summarize(t, label == null ? Integer.toString(t) : label);
  }

  /**
   * Lifts the do-specs from row {@code row} on (absolute row index, as {@link
   * Intervention#actionEnd}), as the batch analysis does for an intervention with that action end.
   * Set it before advancing past it and it costs nothing; if rows from {@code row} on were already
   * advanced, the interventional paths since the start are simulated again (about {@code steps()}
   * advance steps without the summaries), so that later steps equal the batch analysis with the
   * action end known. Without do-actions (CausalImpact mode) it changes nothing.
   *
   * @param row first row without the do-specs, {@code > start}; {@code Integer.MAX_VALUE} for never
   */
  public void endActionsAt(int row) {
    if (row <= start) {
      throw new IllegalArgumentException(
          "action end row " + row + " must be after the intervention's start row " + start);
    }
    int before = worlds.actionEnd();
    if (row == before) {
      return;
    }
    worlds = worlds.withActionEnd(row);
    if (hasActions && Math.min(row, before) < start + steps) {
      replay();
    }
  }

  private void replay() {
    replicates.restart();
    mean.restart();
    for (int o = 0; o < outcomes.size(); o++) {
      cumActual[o] = 0;
      cumPoint[o] = 0;
    }
    summary.restartSums();
    for (int t = start; t < start + steps; t++) {
      simulate(t);
    }
  }

  /** Row {@code t} of the mean and bootstrap paths, and the running sums. */
  private void simulate(int t) {
    mean.step(worlds, start, t);
    replicates.step(worlds, start, t);
    int slot = replicates.slot(start, t);
    for (int o = 0; o < outcomes.size(); o++) {
      int pos = outcomePositions[o];
      cumActual[o] += observed[outcomeNodes[o]][t];
      cumPoint[o] += mean.counterfactual(pos, slot);
      if (hasActions) {
        summary.addExpected(o, mean.interventional(pos, slot), mean.counterfactual(pos, slot));
      }
    }
  }

  private List<OutcomeStep> summarize(int t, String label) {
    int h = t - start;
    int slot = replicates.slot(start, t);
    conformal.advance();
    List<OutcomeStep> out = new ArrayList<>(outcomes.size());
    for (int o = 0; o < outcomes.size(); o++) {
      int pos = outcomePositions[o];
      double[] c = replicates.counterfactual(pos, slot);
      double[] cumCf = replicates.cumulativeCounterfactual(o);
      double cf = mean.counterfactual(pos, slot);
      Interval cfBoot = percentiles.of(o, StepPercentiles.COUNTERFACTUAL, c, cf);
      Interval cumBoot = percentiles.of(o, StepPercentiles.CUMULATIVE, cumCf, cumPoint[o]);
      double pointSpread = RollingOriginCalibration.halfWidth(cfBoot.lower(), cfBoot.upper());
      double cumSpread = RollingOriginCalibration.halfWidth(cumBoot.lower(), cumBoot.upper());
      conformal.addScores(o, pointSpread, cumSpread);
      double iv = hasActions ? mean.interventional(pos, slot) : Double.NaN;
      Interval ivBoot = null;
      Interval diffBoot = null;
      if (hasActions) {
        double[] v = replicates.interventional(pos, slot);
        ivBoot = percentiles.of(o, StepPercentiles.INTERVENTIONAL, v, iv);
        diffBoot = percentiles.difference(o, v, c, iv - cf);
      }
      Double qc = conformal.cumulativeBound(o, cumSpread);
      Double q = conformal.pointwiseBound(o, pointSpread);
      StepImpact step =
          OutcomeSummaries.step(
              t,
              label,
              h,
              observed[outcomeNodes[o]][t],
              cf,
              iv,
              cfBoot,
              cumBoot,
              ivBoot,
              diffBoot,
              q,
              qc,
              cumActual[o],
              cumPoint[o]);
      OutcomeStep done =
          conformal.step(
              o,
              outcomes.get(o),
              step,
              OutcomeSummaries.bootstrapPValue(cumCf, cumActual[o]),
              qc,
              cumActual[o] - cumPoint[o],
              cumSpread);
      summary.stepDone(o, h + 1, q, qc, done.pValueConformal());
      out.add(done);
    }
    return out;
  }

  /**
   * The batch analysis of the rows advanced so far without its step series (empty: {@link
   * #advance} returned the steps): the same summaries, equations, effects and notes, bit for bit,
   * at a cost of {@code O(B O)} whatever the rows. {@code null} before the first row, and where the
   * batch would summarise an outcome by the permutation test's confidence set (no finite conformal
   * bound of the sum: a pre-period too short to calibrate); analyse the rows in batch then.
   */
  public ImpactAnalysis summary() {
    if (steps == 0) {
      return null;
    }
    return summary.analysis(this, cumActual, cumPoint, replicates, conformal);
  }

  public String monitor() {
    return monitor;
  }

  public String interventionId() {
    return interventionId;
  }

  /** The outcome nodes, in the order of {@link #advance}'s results. */
  public List<String> outcomes() {
    return outcomes;
  }

  /** The interval level of the intervals and p-values. */
  public double level() {
    return level;
  }

  /** The intervention's first post-period row. */
  public int startRow() {
    return start;
  }

  /** The row the next {@link #advance} takes. */
  public int nextRow() {
    return start + steps;
  }

  /** Post-period rows advanced so far. */
  public int steps() {
    return steps;
  }

  /** The most post-period rows this analysis takes. */
  public int maxHorizon() {
    return maxHorizon;
  }

  /** The first row without the do-specs, {@code Integer.MAX_VALUE} if not known (yet). */
  public int actionEnd() {
    return worlds.actionEnd();
  }

  /**
   * Approximate bytes this analysis keeps (arrays; object headers of the large arrays only), for
   * the heap budget of the active interventions.
   */
  public long retainedBytes() {
    long bytes = replicates.bytes() + 8L * 2 * replicates.replicates();
    bytes += 8L * observed.length * observed[0].length;
    bytes += conformal.bytes() + summary.bytes();
    return bytes;
  }
}
