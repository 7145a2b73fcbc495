package org.causalimpact.monitor.bench;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.ConformalBounds;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.PermutationInference;
import org.causalimpact.monitor.uncertainty.ResidualBootstrap;
import org.causalimpact.monitor.uncertainty.RollingOriginCalibration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Engine throughput for the performance target of issue 2, item 6: "fit + calibration + 1,000
 * bootstrap replicates for T = 5,000 rows and 4 nodes in ≤ 200 ms on a 2-core machine".
 *
 * <p>The table always has {@link #rows} rows; the intervention starts at {@code rows - post}, so
 * {@code post = 500} is the intervention at row 4,500 and {@code post = 100} at row 4,900. The
 * pre-period is every row before it.
 *
 * <ul>
 *   <li>{@code fitOnly*}: {@link ScmFitter#fit} of all 4 equations on the pre-period;
 *   <li>{@code fullAnalysis*}: {@link ImpactAnalyzer#analyze} with the default settings (1,000
 *       bootstrap replicates): fit, point paths, bootstrap, rolling-origin calibration and the
 *       per-outcome summaries (the permutation test only where the conformal bound is unbounded);
 *   <li>{@code step*}: the uncertainty sub-steps of {@code analyze} alone, on the model fitted in
 *       the setup, reproduced from the public API as {@code impact.Analysis} calls them, to show
 *       which one dominates {@code fullAnalysis}. What {@code fullAnalysis} does beyond {@code
 *       fitOnly + stepBootstrap + stepCalibration} is mostly the per-step summaries ({@code
 *       impact.OutcomeSummaries}: conformal quantiles and bootstrap percentiles), which {@link
 *       StepTimings} approximates. {@code stepPermutationTest} is the Chernozhukov-Wuthrich-Zhu
 *       test, which {@code analyze} runs only for an outcome whose conformal bound at the full
 *       horizon is unbounded (too few calibration origins); with 4,400+ pre-period rows it is not
 *       run, so it is not part of {@code fullAnalysis} here.
 * </ul>
 *
 * <p>Run: {@code java -cp ... org.openjdk.jmh.Main EngineBenchmark}, or {@code
 * src/test/bench/run-benchmarks.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineBenchmark {

  /** Rows of the table (T). */
  @Param({"5000"})
  public int rows;

  /** Post-period rows; the intervention starts at {@code rows - post}. */
  @Param({"500", "100"})
  public int post;

  private final ImpactAnalyzer analyzer =
      ImpactAnalyzer.withDefaults().withIntervals(IntervalSettings.defaults());
  private final ScmFitter fitter = ScmFitter.with(FitOptions.ols());

  private int start;
  private CausalGraph ciGraph;
  private TimeSeriesTable ciTable;
  private Intervention ciIntervention;
  private CausalGraph chainGraph;
  private TimeSeriesTable chainTable;
  private Intervention chainIntervention;

  // Both analyses up to the uncertainty steps, for the step* benchmarks.
  private Prepared ci;
  private Prepared chain;
  private ResidualBootstrap.Paths ciPaths;
  private ResidualBootstrap.Paths chainPaths;

  /** What {@code impact.Analysis} has computed when it starts the uncertainty steps. */
  private record Prepared(
      CausalGraph graph,
      FittedScm model,
      double[][] observed,
      WorldSimulator worlds,
      int[] outcomePos,
      boolean hasActions,
      double[][] cfPoint) {}

  @Setup(Level.Trial)
  public void setUp() {
    start = rows - post;
    ciGraph = BenchData.causalImpactModelGraph();
    ciTable = BenchData.causalImpactTable(rows, start, 2.0, 42L);
    ciIntervention = BenchData.causalImpactIntervention(start);
    chainGraph = BenchData.chainGraph();
    chainTable = BenchData.chainTable(rows, start, 1.5, 43L);
    chainIntervention = BenchData.chainIntervention(start, 1.5);

    ci = prepare(ciGraph, ciTable, ciIntervention);
    chain = prepare(chainGraph, chainTable, chainIntervention);
    ciPaths = bootstrap(ci);
    chainPaths = bootstrap(chain);
  }

  private Prepared prepare(CausalGraph graph, TimeSeriesTable table, Intervention intervention) {
    double[][] observed = ScmFitter.columnsOf(graph, table);
    FittedScm model = fitter.fit(graph, table, 0, start);
    List<EquationLayout> layouts = model.equations().stream().map(e -> e.layout()).toList();
    List<String> outcomes =
        intervention.outcomes().isEmpty()
            ? List.copyOf(graph.descendants(intervention.actions().keySet()))
            : intervention.outcomes();
    Set<String> simulated = new LinkedHashSet<>(intervention.actions().keySet());
    simulated.addAll(graph.descendants(intervention.actions().keySet()));
    simulated.addAll(outcomes);
    WorldSimulator worlds =
        new WorldSimulator(graph, layouts, observed, simulated, intervention.actions());
    int[] outcomePos =
        outcomes.stream().mapToInt(o -> worlds.positionOf(graph.indexOf(o))).toArray();
    double[][] coef = new double[graph.size()][];
    for (int j = 0; j < graph.size(); j++) {
      coef[j] = model.equation(j).coefficients();
    }
    boolean hasActions = !intervention.actions().isEmpty();
    double[][] cfPoint = new double[worlds.simulatedCount()][post];
    worlds.run(
        coef,
        start,
        rows,
        null,
        cfPoint,
        hasActions ? new double[worlds.simulatedCount()][post] : null);
    return new Prepared(graph, model, observed, worlds, outcomePos, hasActions, cfPoint);
  }

  @Benchmark
  public FittedScm fitOnly() {
    return fitter.fit(ciGraph, ciTable, 0, start);
  }

  @Benchmark
  public FittedScm fitOnlyGraphMode() {
    return fitter.fit(chainGraph, chainTable, 0, start);
  }

  @Benchmark
  public ImpactAnalysis fullAnalysis() {
    return analyzer.analyze("bench", ciGraph, ciTable, 0, ciIntervention);
  }

  /**
   * About a second per call with {@code post = 500} before it is warm: longer iterations than the
   * class default, so that warm-up runs more than a handful of calls.
   */
  @Benchmark
  @Warmup(iterations = 5, time = 2)
  @Measurement(iterations = 5, time = 2)
  public ImpactAnalysis fullAnalysisGraphMode() {
    return analyzer.analyze("bench", chainGraph, chainTable, 0, chainIntervention);
  }

  /** {@link ResidualBootstrap#run} with 1,000 replicates (CausalImpact mode: y simulated). */
  @Benchmark
  public ResidualBootstrap.Paths stepBootstrap() {
    return bootstrap(ci);
  }

  /** {@link ResidualBootstrap#run} with 1,000 replicates (graph mode: a, b, c, d, both worlds). */
  @Benchmark
  public ResidualBootstrap.Paths stepBootstrapGraphMode() {
    return bootstrap(chain);
  }

  /**
   * {@link RollingOriginCalibration#start} and {@link ConformalBounds#run} over the
   * post-period, on bootstrap paths drawn once at setup (CausalImpact mode).
   */
  @Benchmark
  public ConformalBounds[] stepCalibration() {
    return calibration(ci, ciPaths);
  }

  /** As {@link #stepCalibration} in graph mode. */
  @Benchmark
  public ConformalBounds[] stepCalibrationGraphMode() {
    return calibration(chain, chainPaths);
  }

  private ResidualBootstrap.Paths bootstrap(Prepared p) {
    return ResidualBootstrap.run(
        p.model(), p.worlds(), p.outcomePos(), start, rows, p.hasActions(), analyzer.intervals());
  }

  private ConformalBounds[] calibration(Prepared p, ResidualBootstrap.Paths paths) {
    RollingOriginCalibration calibration =
        RollingOriginCalibration.start(
            p.model(),
            p.worlds(),
            p.observed(),
            p.outcomePos(),
            post,
            analyzer.fit().ridge(),
            analyzer.intervals().calibrationFraction());
    return ConformalBounds.run(
        calibration,
        paths.counterfactual(),
        new double[p.outcomePos().length],
        1 - analyzer.intervals().level());
  }

  /**
   * The permutation test of y as the summaries would use it (CausalImpact mode): the confidence
   * set of the average effect plus {@code p(0)}, each p-value refitting y's equation on all rows.
   */
  @Benchmark
  public double stepPermutationTest() {
    int node = ci.graph().indexOf(BenchData.RESPONSE);
    double[][] observed = ci.observed();
    EquationLayout layout = ci.model().equation(node).layout();
    PermutationInference test =
        new PermutationInference(
            theta -> {
              double[][] values = observed.clone();
              double[] y = observed[node].clone();
              for (int t = start; t < rows; t++) {
                y[t] -= theta;
              }
              values[node] = y;
              return fitter.residuals(layout, values, 0, rows);
            },
            post);
    double sum = 0;
    for (int h = 0; h < post; h++) {
      sum += observed[node][start + h] - ci.cfPoint()[ci.outcomePos()[0]][h];
    }
    double sigma = ci.model().equation(node).sigma();
    Double[] set = test.confidenceSet(sum / post, sigma, 1 - analyzer.intervals().level());
    return (set[0] == null ? 0 : set[0]) + (set[1] == null ? 0 : set[1]) + test.pValue(0);
  }
}
