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
import org.causalimpact.monitor.scm.MeanErrors;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ExpandingPermutationTest;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.Quantiles;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;
import org.causalimpact.monitor.uncertainty.StreamingBootstrap;

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
 * running sums per replicate, the percentile intervals by a tail selection ({@link
 * Quantiles.TailPair}, each quantity's cuts carried from one step to the next about its point
 * value), and one horizon of every calibration origin that reaches it with the
 * conformal bounds selected from its scores ({@link RollingOriginCalibration.Streaming}; nothing
 * once the horizon passes the calibration span). The one part that grows with the rows is the
 * permutation p-value ({@link
 * ExpandingPermutationTest}, {@code O((n_pre + k) p)}), used only for an outcome whose parents the
 * intervention leaves alone and only at horizons with too few calibration origins for the
 * split-conformal p-value, as in the batch.
 *
 * <p>Equality with the batch: every number of a step is computed with the same operations in the
 * same order as the batch does, so they agree bit for bit, except the permutation p-value, whose
 * refit here solves normal equations instead of a QR decomposition (about 1e-12 relative in the
 * residuals; see {@link ExpandingPermutationTest}).
 *
 * <p>Memory per active intervention ({@link #retainedBytes} estimates it), with {@code B}
 * replicates, {@code d} simulated nodes with {@code P} coefficients in all, history {@code W} (the
 * largest lag + 1), {@code O} outcomes, {@code w = 2} worlds with do-actions and 1 without:
 *
 * <ul>
 *   <li>per replicate: {@code 8 (P + w d W + d + w O + 1) + 64} bytes (refitted coefficients, the
 *       worlds' last {@code W} rows, one row of noise, running sums per outcome, room in the
 *       percentile selection, the generator and its block cursor): about 370 bytes for a 4-node
 *       chain with {@code do()} on its root and 3 outcomes, so about 0.37 MB for 1,000 replicates;
 *   <li>the observed values of every node from row 0 through the last row advanced (the post-period
 *       part grows by doubling, from room for 64 rows), and the pre-period residuals of the
 *       simulated equations: {@code 8} bytes per row and node;
 *   <li>the calibration: per origin (at most 400) its refitted coefficients, its last {@code W}
 *       simulated rows, its running error sums and room for one score, {@code 8 (P + d W + 3 O +
 *       1)} bytes; no score is kept past its step;
 *   <li>for each outcome the permutation test may need: its design, {@code 8 (p + 1)} bytes per row
 *       of pre-period and of post-period so far (also growing by doubling).
 * </ul>
 *
 * For the 4-node chain of {@code LiveAnalysesHeap} (1,440-row pre-period, 3 outcomes, 1,000
 * replicates, largest horizon 10,000): about 0.58 MiB after 10 rows, measured as the heap after GC
 * of 1,000 of them (before the calibration was advanced per step and the arrays grew as rows
 * arrive: 3.9 MiB, 3 MB of it calibration scores; 0.56 MiB before the selections' buffers).
 *
 * <p>Not thread-safe: one instance belongs to one intervention of one stream task.
 */
public final class StreamingAnalysis {
  /** Post-period rows the observed values have room for before they first grow. */
  private static final int FIRST_POST_CAPACITY = 64;

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

  private final double[][][] pointCoefficients;
  /** The mean forecast of the errors, which the point paths add; {@code meanRow} its last row. */
  private final FittedScm model;
  private MeanErrors meanErrors;
  private final double[][] meanRow;
  private final double[] meanValues;
  private final double[][][] pointCf;
  private final double[][][] pointIv;
  private final StreamingBootstrap bootstrap;

  private final double[][][] bootCf;
  private final double[][][] bootIv;

  /** {@code [outcome][replicate]}: sums of the counterfactual and of the expected effect. */
  private final double[][] cumCf;
  private final double[][] cumDiff;
  private final double[] cumActual;
  private final double[] cumPoint;

  private final RollingOriginCalibration calibration;
  private final ExpandingPermutationTest[] permutationTests;

  private final Quantiles.TailPair tails;
  /**
   * {@code [outcome][k]}: the draws whose percentile intervals a step takes, k = counterfactual,
   * its running sum, interventional value, expected effect; each moves a little from step to step.
   */
  private final Quantiles.TailPair.Series[][] tailSeries;
  private final double[] quantilePair = new double[2];
  private final double[] diffDraws;
  /** {@code [outcome]}: the bootstrap's spread of the current step and of the running sum. */
  private final double[] pointSpread;
  private final double[] cumSpread;
  private int steps;

  private StreamingAnalysis(Builder b) {
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
    int[] nodes = worlds.simulatedNodes();
    int d = nodes.length;
    int window = worlds.historyLength();
    this.pointCoefficients = new double[d][][];
    for (int i = 0; i < d; i++) {
      double[] c = model.equation(nodes[i]).coefficients();
      pointCoefficients[i] = new double[c.length][1];
      for (int k = 0; k < c.length; k++) {
        pointCoefficients[i][k][0] = c[k];
      }
    }
    this.pointCf = new double[d][window][1];
    this.pointIv = hasActions ? new double[d][window][1] : null;
    this.bootstrap = StreamingBootstrap.start(model, worlds, b.intervals, maxHorizon);
    this.model = model;
    this.meanErrors = new MeanErrors(model, nodes);
    this.meanRow = meanErrors.any() ? new double[d][1] : null;
    this.meanValues = new double[d];
    int replicates = bootstrap.replicates();
    this.bootCf = new double[d][window][replicates];

    this.bootIv = hasActions ? new double[d][window][replicates] : null;
    int o = outcomes.size();
    this.cumCf = new double[o][replicates];
    this.cumDiff = hasActions ? new double[o][replicates] : null;
    this.cumActual = new double[o];
    this.cumPoint = new double[o];
    this.diffDraws = new double[replicates];
    this.pointSpread = new double[o];
    this.cumSpread = new double[o];
    double alpha = 1 - level;
    this.tails = new Quantiles.TailPair(replicates, alpha / 2, 1 - alpha / 2);
    this.tailSeries = new Quantiles.TailPair.Series[o][4];
    for (Quantiles.TailPair.Series[] perOutcome : tailSeries) {
      Arrays.setAll(perOutcome, k -> new Quantiles.TailPair.Series());
    }

    this.calibration =
        RollingOriginCalibration.start(
            model,
            worlds,
            observed,
            outcomePositions,
            maxHorizon,
            b.fit.ridge(),
            b.intervals.calibrationFraction());
    // the pools grow with the steps: if the first step has too few scores for a finite bound,
    // the batch analysis of the first rows falls back to the permutation test
    boolean unbounded = !calibration.boundedFrom(1, alpha);
    this.permutationTests = new ExpandingPermutationTest[o];
    for (int j = 0; j < o; j++) {
      if (unbounded
          && Analysis.permutationApplies(
              graph, model, outcomes.get(j), b.prepared.simulatedNames())) {
        permutationTests[j] =
            new ExpandingPermutationTest(
                model.equation(outcomeNodes[j]).layout(),
                observed,
                b.preStart,
                start,
                maxHorizon,
                b.fit.ridge());
      }
    }
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
    Builder b = new Builder();
    b.monitor = Objects.requireNonNull(monitor, "monitor");
    b.graph = Objects.requireNonNull(graph, "graph");
    b.intervention = Objects.requireNonNull(intervention, "intervention");
    b.fit = Objects.requireNonNull(fit, "fit");
    b.intervals = Objects.requireNonNull(intervals, "intervals");
    b.preStart = preStart;
    if (maxHorizon < 1) {
      throw new IllegalArgumentException("the largest horizon must be >= 1, got " + maxHorizon);
    }
    int t0 = intervention.start();
    b.maxHorizon =
        intervention.end() == -1 ? maxHorizon : Math.min(maxHorizon, intervention.end() - t0);
    Analysis.requirePrePeriod(preStart, t0);
    if (table.rows() < t0) {
      throw new InputException(
          "the intervention starts at row "
              + t0
              + " but the data has only "
              + table.rows()
              + " rows: the setup needs every row before the start");
    }
    TimeSeriesTable before = table.rows() == t0 ? table : table.slice(0, t0);
    b.prepared = Analysis.prepare(graph, before, preStart, intervention, fit);
    b.observed = new double[graph.size()][t0 + Math.min(b.maxHorizon, FIRST_POST_CAPACITY)];
    for (int j = 0; j < graph.size(); j++) {
      System.arraycopy(b.prepared.observed()[j], 0, b.observed[j], 0, t0);
    }
    b.worlds =
        Analysis.worlds(
            graph, b.prepared.model(), b.observed, b.prepared.simulatedNames(), intervention);
    return new StreamingAnalysis(b);
  }

  /** The arguments of {@link #start} and what it derives from them before the constructor. */
  private static final class Builder {
    String monitor;
    CausalGraph graph;
    Intervention intervention;
    FitOptions fit;
    IntervalSettings intervals;
    int preStart;
    int maxHorizon;
    Analysis.Prepared prepared;
    double[][] observed;
    WorldSimulator worlds;
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
          "intervention '"
              + interventionId
              + "' already has "
              + steps
              + " post-period rows, the largest horizon it was set up for");
    }
    if (values.length != graph.size()) {
      throw new IllegalArgumentException(
          values.length + " values for a graph of " + graph.size() + " nodes");
    }
    int t = start + steps;
    for (int j = 0; j < values.length; j++) {
      if (!Double.isFinite(values[j])) {
        throw new InputException(
            "column '"
                + graph.nodeNames().get(j)
                + "' has a non-finite value ("
                + values[j]
                + ") at row "
                + t);
      }
    }
    if (t == observed[0].length) {
      int length = Math.min(start + maxHorizon, t + Math.max(FIRST_POST_CAPACITY, steps));
      for (int j = 0; j < observed.length; j++) {
        observed[j] = Arrays.copyOf(observed[j], length);
      }
    }
    for (int j = 0; j < values.length; j++) {
      observed[j][t] = values[j];
    }
    simulate(t);
    for (ExpandingPermutationTest test : permutationTests) {
      if (test != null) {
        test.addRow(t);
      }
    }
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
    bootstrap.restart();
    meanErrors = new MeanErrors(model, worlds.simulatedNodes());
    for (int o = 0; o < outcomes.size(); o++) {
      Arrays.fill(cumCf[o], 0.0);
      Arrays.fill(cumDiff[o], 0.0);
      cumActual[o] = 0;
      cumPoint[o] = 0;
    }
    for (int t = start; t < start + steps; t++) {
      simulate(t);
    }
  }

  /** Row {@code t} of the mean and bootstrap paths, and the running sums. */
  private void simulate(int t) {
    if (meanRow != null) {
      meanErrors.next(meanValues);
      for (int i = 0; i < meanValues.length; i++) {
        meanRow[i][0] = meanValues[i];
      }
    }
    worlds.stepPaths(pointCoefficients, start, t, meanRow, pointCf, pointIv);
    bootstrap.step(worlds, start, t, bootCf, bootIv);
    int slot = (t - start) % bootCf[0].length;
    for (int o = 0; o < outcomes.size(); o++) {
      int pos = outcomePositions[o];
      double[] c = bootCf[pos][slot];
      double[] sum = cumCf[o];
      for (int b = 0; b < c.length; b++) {
        sum[b] += c[b];
      }
      if (hasActions) {
        double[] v = bootIv[pos][slot];
        double[] diff = cumDiff[o];
        for (int b = 0; b < c.length; b++) {
          diff[b] += v[b] - c[b];
        }
      }
      cumActual[o] += observed[outcomeNodes[o]][t];
      cumPoint[o] += pointCf[pos][slot][0];
    }
  }

  private List<OutcomeStep> summarize(int t, String label) {
    int h = t - start;
    int slot = h % bootCf[0].length;
    double alpha = 1 - level;
    calibration.advance();
    List<OutcomeStep> out = new ArrayList<>(outcomes.size());
    for (int o = 0; o < outcomes.size(); o++) {
      int pos = outcomePositions[o];
      double[] c = bootCf[pos][slot];
      double cf = pointCf[pos][slot][0];
      Interval cfBoot = percentile(c, tailSeries[o][0], cf);
      Interval cumBoot = percentile(cumCf[o], tailSeries[o][1], cumPoint[o]);
      pointSpread[o] = RollingOriginCalibration.halfWidth(cfBoot.lower(), cfBoot.upper());
      cumSpread[o] = RollingOriginCalibration.halfWidth(cumBoot.lower(), cumBoot.upper());
      calibration.addScores(o, pointSpread[o], cumSpread[o]);
      double iv = hasActions ? pointIv[pos][slot][0] : Double.NaN;
      Interval ivBoot = null;
      Interval diffBoot = null;
      if (hasActions) {
        double[] v = bootIv[pos][slot];
        for (int b = 0; b < c.length; b++) {
          diffDraws[b] = v[b] - c[b];
        }
        ivBoot = percentile(v, tailSeries[o][2], iv);
        diffBoot = percentile(diffDraws, tailSeries[o][3], iv - cf);
      }
      Double qc = calibration.cumulativeBound(o, alpha, cumSpread[o]);
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
              calibration.pointwiseBound(o, alpha, pointSpread[o]),
              qc,
              cumActual[o],
              cumPoint[o]);
      Double pConformal;
      ConformalTest test;
      if (qc != null) {
        pConformal = calibration.pValue(o, cumActual[o] - cumPoint[o], cumSpread[o]);
        test = ConformalTest.NORMALISED_RANK;
      } else if (permutationTests[o] != null) {
        pConformal = permutationTests[o].pValue();
        test = ConformalTest.PERMUTATION;
      } else {
        pConformal = null;
        test = null;
      }
      out.add(
          new OutcomeStep(
              outcomes.get(o),
              step,
              OutcomeSummaries.bootstrapPValue(cumCf[o], cumActual[o]),
              pConformal,
              pConformal == null ? null : test));
    }
    return out;
  }

  /** The percentile interval of {@code draws}, which scatter around {@code center}. */
  private Interval percentile(double[] draws, Quantiles.TailPair.Series series, double center) {
    tails.compute(draws, series, center, quantilePair);
    return Interval.of(quantilePair[0], quantilePair[1]);
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
    int replicates = bootstrap.replicates();
    int worldsCount = hasActions ? 2 : 1;
    long bytes = bootstrap.bytes();
    bytes += 8L * worldsCount * bootCf.length * bootCf[0].length * replicates;
    bytes += 8L * (worldsCount * outcomes.size() + 2) * replicates;
    bytes += 8L * observed.length * observed[0].length;
    bytes += calibration.bytes();
    for (ExpandingPermutationTest test : permutationTests) {
      if (test != null) {
        bytes += test.bytes();
      }
    }
    return bytes;
  }
}
