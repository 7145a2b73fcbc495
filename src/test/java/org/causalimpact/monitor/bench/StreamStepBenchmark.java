package org.causalimpact.monitor.bench;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.ExpandingPermutationInference;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.uncertainty.PermutationInference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The streaming step of issue 5: "one streaming step (all outcome nodes of one intervention, 1,000
 * bootstrap paths) ≤ 50 µs", with {@link StreamingAnalysis}. Workloads of {@link BenchData}, 4
 * nodes each, a 1,440-row pre-period, default interval settings (1,000 replicates), largest horizon
 * 10,000 rows (the stream's default {@code monitor.max.post.rows}):
 *
 * <ul>
 *   <li>{@code graph}: chain {@code a → b → c → d}, AR(1) each, {@code do(a := a + 1.5)}, outcomes
 *       b, c, d (both worlds simulated);
 *   <li>{@code causalImpact}: y on x1, x2, x3 (ARDL(1, 1)), no do-action, outcome y;
 *   <li>{@code graphAuto}, {@code causalImpactAuto}: the same with the level of every simulated
 *       equation {@code auto} (a local level and AR(1) noise, the error state stepped in every
 *       replicate).
 * </ul>
 *
 * <p>{@code step}: {@link StreamingAnalysis#advance} of rows {@code at .. at + 49} after the
 * analysis was set up and advanced through row {@code at - 1} (outside the timing); one shot of 50
 * steps per iteration, reported per step, so that the post-period does not run away during the
 * measurement (and, before, a first analysis run through 5,000 rows and 5 s of analyses run
 * through the rows timed, to compile the code). {@code setup}: {@link StreamingAnalysis#start}
 * (fit, calibration to the largest horizon, 1,000 refits). {@code permutation*}: the one per-step
 * part that grows with the rows, the conformal p-value of an outcome with unaffected parents once
 * too few calibration origins reach the horizon (CausalImpact mode beyond about 680 rows here): the
 * expanding normal equations that {@code StreamingAnalysis} uses against the QR refit of the batch,
 * at {@code post} post rows.
 *
 * <p>Run (after {@code mvn -DskipTests package}; see {@code src/test/bench/run-benchmarks.sh}):
 * {@code JMH_REGEX=StreamStepBenchmark JMH_ARGS="-f 1" src/test/bench/run-benchmarks.sh}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamStepBenchmark {
  static final int PRE = 1440;
  static final int STEPS_PER_SHOT = 50;
  static final int MAX_HORIZON = 10_000;

  /** One workload: graph, table, intervention, and its rows as the stream passes them. */
  static final class Workload {
    final CausalGraph graph;
    final TimeSeriesTable table;
    final Intervention intervention;
    final double[][] rows;
    final String[] labels;

    Workload(String mode, int postRows) {
      int total = PRE + postRows;
      org.causalimpact.monitor.graph.Level level =
          mode.endsWith("Auto")
              ? org.causalimpact.monitor.graph.Level.AUTO
              : org.causalimpact.monitor.graph.Level.NONE;
      if (mode.startsWith("graph")) {
        graph = BenchData.chainGraph(level);
        table = BenchData.chainTable(total, PRE, 1.5, 43L);
        intervention = BenchData.chainIntervention(PRE, 1.5);
      } else {
        graph = BenchData.causalImpactModelGraph(level);
        table = BenchData.causalImpactTable(total, PRE, 2.0, 42L);
        intervention = BenchData.causalImpactIntervention(PRE);
      }
      rows = new double[total][graph.size()];
      labels = new String[total];
      for (int t = 0; t < total; t++) {
        for (int j = 0; j < graph.size(); j++) {
          rows[t][j] = table.value(graph.nodeNames().get(j), t);
        }
        labels[t] = Instant.ofEpochSecond(1_800_000_000L + 60L * t).toString();
      }
    }

    StreamingAnalysis start() {
      return StreamingAnalysis.start(
          "bench",
          graph,
          table,
          0,
          intervention,
          FitOptions.ols(),
          IntervalSettings.defaults(),
          MAX_HORIZON);
    }
  }

  /** An analysis advanced through row {@code at - 1} before every shot. */
  @State(Scope.Thread)
  public static class Stepping {
    static final int WARM_UP_STEPS = 5_000;
    static final long WARM_UP_NANOS = 5_000_000_000L;

    @Param({"graph", "causalImpact", "graphAuto", "causalImpactAuto"})
    public String mode;

    /** The first post-period step timed (1-based). */
    @Param({"10", "300"})
    public int at;

    Workload workload;
    StreamingAnalysis analysis;

    /**
     * The data, a first analysis run through {@value #WARM_UP_STEPS} rows, and then, for 5 s,
     * analyses set up and run through the rows a shot times, so that the step's code, at the
     * horizons timed as well as beyond the calibrated ones, is compiled as in a stream that has
     * run for a while. With the long run alone, the compiler (one thread, on 2 cores) was still
     * compiling the code of the calibrated horizons during the measurement of {@code at = 10},
     * whose iterations step 59 rows each: its shots went from about 100 to 60 us as the
     * measurement went on.
     */
    @Setup(Level.Trial)
    public void data() {
      workload = new Workload(mode, Math.max(at + STEPS_PER_SHOT, WARM_UP_STEPS));
      StreamingAnalysis warm = workload.start();
      for (int k = 0; k < WARM_UP_STEPS; k++) {
        warm.advance(workload.rows[PRE + k], workload.labels[PRE + k]);
      }
      long end = System.nanoTime() + WARM_UP_NANOS;
      while (System.nanoTime() < end) {
        warm = workload.start();
        for (int k = 0; k < at - 1 + STEPS_PER_SHOT; k++) {
          warm.advance(workload.rows[PRE + k], workload.labels[PRE + k]);
        }
      }
    }

    @Setup(Level.Iteration)
    public void advanceToStart() {
      analysis = workload.start();
      for (int k = 1; k < at; k++) {
        analysis.advance(workload.rows[PRE + k - 1], workload.labels[PRE + k - 1]);
      }
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OperationsPerInvocation(STEPS_PER_SHOT)
  @Warmup(iterations = 10)
  @Measurement(iterations = 20)
  public void step(Stepping s, Blackhole bh) {
    int from = PRE + s.at - 1;
    for (int t = from; t < from + STEPS_PER_SHOT; t++) {
      bh.consume(s.analysis.advance(s.workload.rows[t], s.workload.labels[t]));
    }
  }

  /** The setup of one intervention. */
  @State(Scope.Benchmark)
  public static class Starting {
    @Param({"graph", "causalImpact"})
    public String mode;

    Workload workload;

    @Setup(Level.Trial)
    public void data() {
      workload = new Workload(mode, 1);
    }
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public StreamingAnalysis setup(Starting s) {
    return s.workload.start();
  }

  /** y's equation (CausalImpact mode) with {@code post} post-period rows. */
  @State(Scope.Benchmark)
  public static class Permutation {
    @Param({"300", "3000"})
    public int post;

    double[][] values;
    EquationLayout layout;
    ExpandingPermutationInference expanding;
    ScmFitter fitter;

    @Setup(Level.Trial)
    public void data() {
      Workload w = new Workload("causalImpact", post);
      values = ScmFitter.columnsOf(w.graph, w.table);
      layout = EquationLayout.of(w.graph, BenchData.RESPONSE, 0, PRE);
      fitter = ScmFitter.with(FitOptions.ols());
      expanding = new ExpandingPermutationInference(layout, values, 0, PRE, post, 0);
      for (int t = PRE; t < PRE + post; t++) {
        expanding.addRow(t);
      }
    }
  }

  @Benchmark
  public double permutationNormalEquations(Permutation p) {
    return p.expanding.pValue();
  }

  @Benchmark
  public double permutationQrRefit(Permutation p) {
    return PermutationInference.pValue(
        p.fitter.residuals(p.layout, p.values, 0, PRE + p.post), p.post);
  }
}
