package org.causalimpact.monitor.bench;

import java.util.ArrayList;
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
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.PermutationTest;
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
 *       bootstrap replicates): fit, point paths, bootstrap, rolling-origin calibration, the
 *       permutation test per outcome and the summaries;
 *   <li>{@code step*}: the uncertainty sub-steps of {@code analyze} alone, on the CausalImpact-mode
 *       model fitted in the setup, reproduced from the public API as {@code impact.Analysis} calls
 *       them, to show which one dominates {@code fullAnalysis}. {@code stepPermutationTest} is
 *       the Chernozhukov-Wuthrich-Zhu test, which {@code analyze} runs only for an outcome whose
 *       conformal bound at the full horizon is unbounded (too few calibration origins); with
 *       4,400+ pre-period rows it is not run, so it is not part of {@code fullAnalysis} here.
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

  // The CausalImpact-mode analysis up to the uncertainty steps, for the step* benchmarks.
  private FittedScm ciModel;
  private double[][] ciObserved;
  private WorldSimulator ciWorlds;
  private int[] ciOutcomePos;
  private double[][] ciCfPoint;
  private double ciEffectMean;

  @Setup(Level.Trial)
  public void setUp() {
    start = rows - post;
    ciGraph = BenchData.causalImpactModelGraph();
    ciTable = BenchData.causalImpactTable(rows, start, 2.0, 42L);
    ciIntervention = BenchData.causalImpactIntervention(start);
    chainGraph = BenchData.chainGraph();
    chainTable = BenchData.chainTable(rows, start, 1.5, 43L);
    chainIntervention = BenchData.chainIntervention(start, 1.5);

    ciObserved = ScmFitter.columnsOf(ciGraph, ciTable);
    ciModel = fitter.fit(ciGraph, ciTable, 0, start);
    List<EquationLayout> layouts = ciModel.equations().stream().map(e -> e.layout()).toList();
    Set<String> simulated = new LinkedHashSet<>(ciIntervention.outcomes());
    ciWorlds = new WorldSimulator(ciGraph, layouts, ciObserved, simulated, ciIntervention.actions());
    ciOutcomePos = new int[] {ciWorlds.positionOf(ciGraph.indexOf(BenchData.RESPONSE))};
    double[][] coef = new double[ciGraph.size()][];
    for (int j = 0; j < ciGraph.size(); j++) {
      coef[j] = ciModel.equation(j).coefficients();
    }
    ciCfPoint = new double[ciWorlds.simulatedCount()][post];
    ciWorlds.run(coef, start, rows, null, ciCfPoint, null);
    double[] y = ciObserved[ciGraph.indexOf(BenchData.RESPONSE)];
    double sum = 0;
    for (int h = 0; h < post; h++) {
      sum += y[start + h] - ciCfPoint[ciOutcomePos[0]][h];
    }
    ciEffectMean = sum / post;
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

  @Benchmark
  public ImpactAnalysis fullAnalysisGraphMode() {
    return analyzer.analyze("bench", chainGraph, chainTable, 0, chainIntervention);
  }

  /** {@link ResidualBootstrap#run} with 1,000 replicates (CausalImpact mode). */
  @Benchmark
  public ResidualBootstrap.Paths stepBootstrap() {
    return ResidualBootstrap.run(
        ciModel, ciWorlds, ciOutcomePos, start, rows, false, analyzer.intervals());
  }

  /** {@link RollingOriginCalibration#run} (CausalImpact mode). */
  @Benchmark
  public RollingOriginCalibration.Scores stepCalibration() {
    return RollingOriginCalibration.run(
        ciModel,
        ciWorlds,
        ciObserved,
        ciOutcomePos,
        post,
        analyzer.fit().ridge(),
        analyzer.intervals().calibrationFraction());
  }

  /**
   * The permutation test of one outcome as the summaries use it: the confidence set of the average
   * effect plus {@code p(0)}, each p-value refitting the outcome equation on all rows.
   */
  @Benchmark
  public double stepPermutationTest() {
    int node = ciGraph.indexOf(BenchData.RESPONSE);
    EquationLayout layout = ciModel.equation(node).layout();
    double[][] base = ciObserved.clone();
    PermutationTest test =
        new PermutationTest(
            theta -> {
              double[][] values = base.clone();
              double[] y = ciObserved[node].clone();
              for (int t = start; t < rows; t++) {
                y[t] -= theta;
              }
              values[node] = y;
              return fitter.residuals(layout, values, 0, rows);
            },
            post);
    double sigma = ciModel.equation(node).sigma();
    Double[] set = test.confidenceSet(ciEffectMean, sigma, 1 - analyzer.intervals().level());
    List<Double> out = new ArrayList<>(List.of(set));
    return out.size() + test.pValue(0);
  }
}
