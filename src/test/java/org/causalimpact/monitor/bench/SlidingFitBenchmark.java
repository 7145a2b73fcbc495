package org.causalimpact.monitor.bench;

import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.SlidingLeastSquares;
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
 * Issue 5: the per-row cost of refitting a structural equation on the last {@link #window} rows,
 * with sliding sufficient statistics ({@link SlidingLeastSquares}) against the refit from scratch
 * ({@link ScmFitter#fitEquation}, QR on the window). The equation is the largest of the 4-node
 * CausalImpact-mode workload of {@link BenchData}: y on x1, x2, x3 at lags 0 and 1 with AR(1), 8
 * coefficients, OLS. Each call moves the window on by one row.
 *
 * <ul>
 *   <li>{@code slide}: remove the row leaving, add the row entering (regressors built by the
 *       layout), amortised rebuild included: the sums are rebuilt from the window's rows every
 *       {@code window} rows, as {@link SlidingLeastSquares} advises. Expected flat in the window.
 *   <li>{@code slideAndSolve}: {@code slide} plus {@link SlidingLeastSquares#solve}. Expected flat.
 *   <li>{@code refit}: {@link ScmFitter#fitEquation} on the window. Expected proportional to it.
 * </ul>
 *
 * <p>Run: {@code JMH_REGEX=SlidingFitBenchmark JMH_ARGS="-f 1 -wi 3 -i 5 -w 1s -r 1s"
 * src/test/bench/run-benchmarks.sh}. Measured on the 2-core machine of the README, load average
 * about 8 from other builds (µs per row, ± the 99.9% error of 5 iterations):
 *
 * <pre>
 *   window          1,440           10,080
 *   slide           0.181 ± 0.008   0.177 ± 0.001
 *   slideAndSolve   0.933 ± 0.032   0.935 ± 0.030
 *   refit         229     ± 19   1,618   ± 151
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SlidingFitBenchmark {
  /** Rows the window slides over before it starts again from the top of the table. */
  private static final int SLIDE = 20_000;

  /** Rows in the fit window: one day and one week of minutes. */
  @Param({"1440", "10080"})
  public int window;

  private final FitOptions options = FitOptions.ols();
  private final ScmFitter fitter = ScmFitter.with(options);

  private double[][] values;
  private EquationLayout.NodeValues nodeValues;
  private EquationLayout layout;
  private SlidingLeastSquares sliding;
  private int rows;
  private int first;

  /** The row the next call adds; the window is {@code [next - window, next)}. */
  private int next;

  private int rebuiltAt;

  @Setup(Level.Trial)
  public void setUp() {
    rows = window + SLIDE;
    CausalGraph graph = BenchData.causalImpactModelGraph();
    values = ScmFitter.columnsOf(graph, BenchData.causalImpactTable(rows, rows - 1, 0.0, 42L));
    nodeValues = (node, t) -> values[node][t];
    layout = EquationLayout.of(graph, BenchData.RESPONSE, 0, window);
    sliding = SlidingLeastSquares.empty(layout.size());
    first = layout.maxLag() + window;
    next = first;
    rebuild();
  }

  private void rebuild() {
    sliding.reset();
    for (int t = next - window; t < next; t++) {
      sliding.addRow(layout, nodeValues, t);
    }
    rebuiltAt = next;
  }

  /** Moves the window on by one row, starting again from the top at the end of the table. */
  private void advance() {
    next++;
    if (next == rows) {
      next = first;
    }
  }

  private void slideOneRow() {
    if (next == first || next - rebuiltAt >= window) {
      rebuild();
    }
    sliding.removeRow(layout, nodeValues, next - window);
    sliding.addRow(layout, nodeValues, next);
    advance();
  }

  @Benchmark
  public int slide() {
    slideOneRow();
    return sliding.observations();
  }

  @Benchmark
  public SlidingLeastSquares.Fit slideAndSolve() {
    slideOneRow();
    return sliding.solve(options);
  }

  @Benchmark
  public FittedEquation refit() {
    FittedEquation fit = fitter.fitEquation(layout, values, next + 1 - window, next + 1);
    advance();
    return fit;
  }
}
