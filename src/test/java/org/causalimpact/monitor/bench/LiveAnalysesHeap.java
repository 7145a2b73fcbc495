package org.causalimpact.monitor.bench;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.IntervalSettings;

/**
 * Heap held by the running interventions of one instance (issue 5: 1,000 monitors of 4 nodes,
 * 1,440-row pre-period, 1,000 bootstrap replicates, in at most 2 GB): sets up {@code N}
 * incremental analyses as the stream keeps them in memory ({@link StreamingAnalysis}, the chain
 * {@code a → b → c → d} with {@code do(a)}, three outcomes, the stream's default largest horizon of
 * 10,000 rows), advances each {@code steps} rows, and reports the used heap after a full GC
 * against the same before, per analysis, next to the analyses' own estimate ({@link
 * StreamingAnalysis#retainedBytes}). The stream's other per-monitor heap is measured by {@link
 * ThroughputHarness} (its stores are RocksDB, off-heap).
 *
 * <p>System properties: {@code cim.analyses} (N, default 1000), {@code cim.steps} (default 10),
 * {@code cim.horizon} (default 10000). Run from the project root (builds the test classes, then
 * runs this with {@code -Xmx2g}; {@code HEAP}, {@code HARNESS_ARGS}, {@code BUILD_DIR}, {@code
 * MVN_ARGS}, {@code SKIP_BUILD} as in the script's header):
 *
 * <pre>{@code
 * BUILD_DIR=/tmp/build-mem MVN_ARGS=-o src/test/bench/run-live-heap.sh
 * }</pre>
 */
public final class LiveAnalysesHeap {
  private LiveAnalysesHeap() {}

  public static void main(String[] args) {
    int n = Integer.getInteger("cim.analyses", 1000);
    int steps = Integer.getInteger("cim.steps", 10);
    int horizon = Integer.getInteger("cim.horizon", 10_000);
    int pre = 1440;
    CausalGraph graph = BenchData.chainGraph();
    TimeSeriesTable table = BenchData.chainTable(pre + steps, pre, 1.5, 43L);
    Intervention intervention = BenchData.chainIntervention(pre, 1.5);
    System.out.printf(
        Locale.ROOT,
        "setup: %d analyses, 4 nodes, pre-period %d rows, %d replicates, largest horizon %d,"
            + " %d steps each, max heap %d MiB%n",
        n, pre, IntervalSettings.defaults().replicates(), horizon, steps,
        Runtime.getRuntime().maxMemory() >> 20);
    long before = usedAfterGc();
    List<StreamingAnalysis> live = new ArrayList<>(n);
    long began = System.nanoTime();
    long estimate = 0;
    for (int i = 0; i < n; i++) {
      StreamingAnalysis a =
          StreamingAnalysis.start(
              "m" + i, graph, table, 0, intervention, FitOptions.ols(),
              IntervalSettings.defaults(), horizon);
      for (int t = pre; t < pre + steps; t++) {
        double[] row = new double[graph.size()];
        for (int j = 0; j < row.length; j++) {
          row[j] = table.values()[j][t];
        }
        a.advance(row, Instant.ofEpochSecond(60L * t).toString());
      }
      estimate += a.retainedBytes();
      live.add(a);
      if ((i + 1) % 100 == 0) {
        System.out.printf(
            Locale.ROOT, "progress: %d analyses set up in %.1f s%n",
            i + 1, (System.nanoTime() - began) / 1e9);
      }
    }
    double setupMs = (System.nanoTime() - began) / 1e6 / n;
    long after = usedAfterGc();
    double perMiB = (after - before) / (double) n / (1 << 20);
    System.out.printf(
        Locale.ROOT,
        "RESULT heap: %d running analyses hold %.0f MiB after GC (%.2f MiB each; their own"
            + " estimate %.2f MiB each); setup + %d steps %.0f ms each%n",
        live.size(), (after - before) / (double) (1 << 20), perMiB,
        estimate / (double) n / (1 << 20), steps, setupMs);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
