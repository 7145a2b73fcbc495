package org.causalimpact.monitor.live;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.live.HealthMemory.Memory;
import org.causalimpact.monitor.live.HealthMemory.Ring;
import org.causalimpact.monitor.live.HealthMemory.RowRing;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.SlidingLeastSquares;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.wire.AnalysisReport;
import org.causalimpact.monitor.wire.EstimateJson;
import org.causalimpact.monitor.wire.HealthRecord;

/**
 * The model-health signal before interventions: for every closed row and every node, the one-step
 * prediction of the node's structural equation (its parents' observed values at that row and its
 * own past), with a conformal band from the node's latest one-step errors, whether the band covered
 * the actual value, and the rolling empirical coverage. A healthy model covers at about the
 * nominal level; a falling coverage says the model no longer describes the data and impact
 * estimates from it would be off.
 *
 * <p>Each equation is fitted on the {@code preWindow} rows before the row it predicts, by sliding
 * sufficient statistics ({@link SlidingLeastSquares}): a closed row enters the window and the row
 * {@code preWindow} steps older leaves it, each {@code O(p^2)}, and the coefficients are solved
 * again every {@code healthRefitEvery} rows in time independent of the window's length. The sums
 * are rebuilt from the stored rows every {@code preWindow} rows (bounding rounding drift), after
 * a gap (rows closed while an intervention ran are not tracked) and when none are stored yet. A
 * row enters the window when it and the rows its lags read are stored and complete. Band: the
 * split-conformal quantile of the last {@value #WINDOW} errors, each made by a model fitted before
 * the row it predicted (unbounded, JSON null, until 19 errors exist at 95%).
 *
 * <p>What is stored per monitor is only how far it has got ({@link HealthState}), and per row the
 * errors and band hits it added ({@link GridRow#errors()}); the sums, coefficients, rings and the
 * values of the latest {@code preWindow + maxLag + 1} rows live in this object's memory. When the
 * memory does not match the stored state (a restart, a rebalance, an aborted transaction), it is
 * rebuilt from the stored rows by redoing the last rebuild and the slides since, so the signal
 * continues bit for bit as if nothing had happened. One instance per processor, confined to its
 * stream thread.
 */
final class ModelHealth {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelHealth.class);

  /** Errors and coverage flags kept per node. */
  static final int WINDOW = 200;

  /** Largest row index used before the equations' row origin is moved (keeps indexes ints). */
  private static final long MAX_INDEX = 1L << 30;

  private final TopologySettings settings;
  private final Map<String, Equations> equations = new HashMap<>();
  private final Map<String, Memory> memory = new HashMap<>();

  /**
   * One fixed layout per node (trend origin 0, scale the window), their largest lag, and each
   * node's record key in UTF-8 ({@code monitor/node}), by node index.
   */
  private record Equations(EquationLayout[] layouts, int maxLag, byte[][] keys) {}

  /**
   * One node's model-health record for one row.
   *
   * @param key the record's key, {@code monitor/node} in UTF-8
   */
  record Report(byte[] key, HealthRecord record) {}

  ModelHealth(TopologySettings settings) {
    this.settings = settings;
  }

  private Equations equations(MonitorDefinition def) {
    return equations.computeIfAbsent(
        def.name(),
        k -> {
          EquationLayout[] layouts =
              def.graph().nodeNames().stream()
                  .map(n -> EquationLayout.of(def.graph(), n, 0, def.preWindow()))
                  .toArray(EquationLayout[]::new);
          int maxLag = Arrays.stream(layouts).mapToInt(EquationLayout::maxLag).max().orElse(0);
          byte[][] keys = new byte[def.graph().size()][];
          for (EquationLayout layout : layouts) {
            keys[layout.node()] =
                (def.name() + "/" + layout.nodeName()).getBytes(StandardCharsets.UTF_8);
          }
          return new Equations(layouts, maxLag, keys);
        });
  }

  /**
   * How many of the latest rows a monitor must keep stored for its model health to be rebuilt
   * from them: the last rebuild's window and the rows since (under {@code 2 * preWindow + maxLag}),
   * and the rows behind the error rings ({@value #WINDOW} rows, plus one intervention's rows, at
   * most {@code postRows}; the rings of a node whose last errors are older than the oldest stored
   * row come back shorter).
   */
  long rowsNeeded(MonitorDefinition def, long postRows) {
    return Math.max(2L * def.preWindow() + equations(def).maxLag(), WINDOW + postRows);
  }

  /**
   * Predicts row {@code row} of a monitor, reports each node, then slides the window over it.
   *
   * @param progress the stored state, updated to the new progress
   * @param rows the stored rows, up to the row before {@code row}
   * @param emit receives each node's record
   * @return the row with its errors and band hits, to be stored
   */
  GridRow onRowClosed(
      MonitorDefinition def,
      HealthState progress,
      StoredRows.Reader rows,
      GridRow row,
      Consumer<Report> emit) {
    Equations eqs = equations(def);
    Memory mem = memory.get(def.name());
    if (mem == null || !mem.progress.sameAs(progress)) {
      mem = restore(def, eqs, progress, rows);
      memory.put(def.name(), mem);
    }
    long s = row.step();
    mem.closing = s;
    HealthState st = mem.progress;
    if (st.rebuiltAt == GridState.NONE
        || st.lastAdded != s - 1
        || s - st.rebuiltAt >= def.preWindow()
        || s - st.base > MAX_INDEX) {
      rebuild(def, eqs, mem, rows, s);
    }
    mem.rows.put(row);
    load(def, mem, rows, s - eqs.maxLag(), s - 1);
    GridRow reported = report(def, eqs, mem, row, emit);
    slide(def, eqs, mem, rows, s);
    progress.copyFrom(st);
    return reported;
  }

  /**
   * The memory the stored progress stands for: the rebuild at {@code rebuiltAt} and the slides
   * through {@code lastAdded} done again from the stored rows (the same operations in the same
   * order, so the same sums and coefficients), and the rings read back from the rows' errors.
   */
  private Memory restore(
      MonitorDefinition def,
      Equations eqs,
      HealthState progress,
      StoredRows.Reader rows) {
    Memory mem = new Memory(def.graph().size(), def.preWindow() + eqs.maxLag() + 1);
    if (progress.rebuiltAt == GridState.NONE) {
      mem.progress.copyFrom(progress);
      return mem;
    }
    mem.progress.base = progress.base;
    rebuild(def, eqs, mem, rows, progress.rebuiltAt);
    for (long r = progress.rebuiltAt; r <= progress.lastAdded; r++) {
      slide(def, eqs, mem, rows, r);
    }
    restoreRings(def, mem, rows, progress.lastAdded);
    if (!mem.progress.sameAs(progress)) {
      LOG.warn(
          "monitor '{}': model health rebuilt from the stored rows reached ({}), not the stored"
              + " ({}); the next rows rebuild it",
          def.name(), mem.progress, progress);
      mem.progress.copyFrom(progress);
      mem.progress.rebuiltAt = GridState.NONE;
    }
    return mem;
  }

  /** The latest {@value #WINDOW} errors and hits per node, from the rows through {@code last}. */
  private void restoreRings(
      MonitorDefinition def, Memory mem, StoredRows.Reader rows, long last) {
    int nodes = def.graph().size();
    double[][] errors = new double[nodes][WINDOW];
    double[][] hits = new double[nodes][WINDOW];
    int[] nErrors = new int[nodes];
    int[] nHits = new int[nodes];
    final int chunk = 256;
    boolean full = false;
    boolean oldestRead = false;
    for (long to = last; to >= 0 && !full && !oldestRead; to -= chunk) {
      long from = Math.max(0, to - chunk + 1);
      List<GridRow> list = rows.range(def.name(), from, to);
      // stored rows are consecutive steps: a short chunk holds the oldest one
      oldestRead = list.size() < to - from + 1;
      for (int i = list.size() - 1; i >= 0 && !full; i--) {
        GridRow r = list.get(i);
        if (r.errors() == null) {
          continue;
        }
        full = true;
        for (int j = 0; j < nodes; j++) {
          if (!Double.isNaN(r.errors()[j]) && nErrors[j] < WINDOW) {
            errors[j][nErrors[j]++] = r.errors()[j];
          }
          if (r.hits()[j] >= 0 && nHits[j] < WINDOW) {
            hits[j][nHits[j]++] = r.hits()[j];
          }
          full &= nErrors[j] == WINDOW && nHits[j] == WINDOW;
        }
      }
    }
    for (int j = 0; j < nodes; j++) {
      for (int i = nErrors[j] - 1; i >= 0; i--) {
        mem.errors[j].add(errors[j][i]);
      }
      for (int i = nHits[j] - 1; i >= 0; i--) {
        mem.covered[j].add(hits[j][i]);
      }
    }
  }

  /** Row {@code s} into the sums if usable, the row a window older out, and a solve if due. */
  private void slide(
      MonitorDefinition def,
      Equations eqs,
      Memory mem,
      StoredRows.Reader rows,
      long s) {
    HealthState st = mem.progress;
    RowRing held = mem.rows;
    load(def, mem, rows, s - eqs.maxLag(), s);
    if (held.usable(s, eqs.maxLag())) {
      for (EquationLayout layout : eqs.layouts()) {
        mem.sums[layout.node()].addRow(layout, held.values(st.base), (int) (s - st.base));
      }
    }
    long leaving = s - def.preWindow();
    if (leaving >= st.base + eqs.maxLag()) {
      load(def, mem, rows, leaving - eqs.maxLag(), leaving);
      if (held.usable(leaving, eqs.maxLag())) {
        for (EquationLayout layout : eqs.layouts()) {
          mem.sums[layout.node()].removeRow(
              layout, held.values(st.base), (int) (leaving - st.base));
        }
      }
    }
    st.lastAdded = s;
    if (st.solvedAt == GridState.NONE || s - st.solvedAt >= settings.healthRefitEvery()) {
      solve(def, mem, s);
    }
  }

  /**
   * Makes the memory hold the stored rows of steps {@code [from, to]}: those it does not hold yet
   * are read from the store (one range read from the first missing step).
   */
  private static void load(
      MonitorDefinition def,
      Memory mem,
      StoredRows.Reader rows,
      long from,
      long to) {
    for (long r = Math.max(Math.max(0, from), mem.missingThrough + 1); r <= to; r++) {
      if (!mem.rows.holds(r)) {
        List<GridRow> read = rows.range(def.name(), r, to);
        for (GridRow stored : read) {
          mem.rows.put(stored);
        }
        // steps before the first row read, or all of them if none was read and the row being
        // closed (which exists) is newer, are older than a row that exists
        long missing = read.isEmpty() ? (mem.closing > to ? to : GridState.NONE)
            : read.get(0).step() - 1;
        mem.missingThrough = Math.max(mem.missingThrough, missing);
        return;
      }
    }
  }

  /** Sums over the stored rows {@code [s - window, s - 1]}, and coefficients from them. */
  private void rebuild(
      MonitorDefinition def,
      Equations eqs,
      Memory mem,
      StoredRows.Reader rows,
      long s) {
    HealthState st = mem.progress;
    int window = def.preWindow();
    long first = s - window;
    if (st.base == GridState.NONE || s - st.base > MAX_INDEX) {
      st.base = first - eqs.maxLag();
    }
    for (EquationLayout layout : eqs.layouts()) {
      mem.sums[layout.node()] = SlidingLeastSquares.empty(layout.size());
    }
    load(def, mem, rows, first - eqs.maxLag(), s - 1);
    RowRing held = mem.rows;
    for (long r = Math.max(first, st.base + eqs.maxLag()); r < s; r++) {
      if (held.usable(r, eqs.maxLag())) {
        for (EquationLayout layout : eqs.layouts()) {
          mem.sums[layout.node()].addRow(layout, held.values(st.base), (int) (r - st.base));
        }
      }
    }
    st.lastAdded = s - 1;
    st.rebuiltAt = s;
    solve(def, mem, s - 1);
  }

  /** Coefficients from the sums, which hold the window through row {@code last}. */
  private static void solve(MonitorDefinition def, Memory mem, long last) {
    for (int j = 0; j < mem.sums.length; j++) {
      SlidingLeastSquares sums = mem.sums[j];
      SlidingLeastSquares.Fit fit =
          sums.observations() >= sums.terms() + 2 ? sums.solve(def.fit()) : null;
      boolean usable = fit != null && fit.collinearColumn() < 0;
      mem.coefficients[j] = usable ? fit.coefficients() : null;
      mem.rSquared[j] = usable ? fit.rSquared() : Double.NaN;
      mem.sigma[j] = usable ? fit.sigma() : Double.NaN;
    }
    mem.progress.solvedAt = last;
  }

  private static GridRow report(
      MonitorDefinition def,
      Equations eqs,
      Memory mem,
      GridRow row,
      Consumer<Report> emit) {
    double alpha = 1 - def.intervals().level();
    long s = row.step();
    long base = mem.progress.base;
    String time = Instant.ofEpochMilli(s * Math.max(1, def.step().toMillis())).toString();
    EquationLayout.NodeValues values = mem.rows.values(base);
    double[] added = new double[def.graph().size()];
    byte[] hits = new byte[added.length];
    Arrays.fill(added, Double.NaN);
    Arrays.fill(hits, (byte) -1);
    for (EquationLayout layout : eqs.layouts()) {
      int j = layout.node();
      double[] coef = mem.coefficients[j];
      if (coef == null) {
        continue;
      }
      double predicted = layout.predict(coef, values, (int) (s - base));
      double actual = row.values()[j];
      if (!Double.isFinite(predicted) || !Double.isFinite(actual) || row.imputed()[j]) {
        continue;
      }
      Ring errors = mem.errors[j];
      Ring covered = mem.covered[j];
      Double q = errors.size == 0 ? null : errors.conformal(alpha);
      double error = Math.abs(actual - predicted);
      Boolean inBand = q == null ? null : error <= q;
      errors.add(error);
      added[j] = error;
      if (inBand != null) {
        covered.add(inBand ? 1 : 0);
        hits[j] = (byte) (inBand ? 1 : 0);
      }
      double coverage = covered.size == 0 ? Double.NaN : covered.total() / covered.size;
      emit.accept(
          new Report(
              eqs.keys()[j],
              new HealthRecord(
                  AnalysisReport.SCHEMA,
                  def.name(),
                  layout.nodeName(),
                  time,
                  def.intervals().level(),
                  predicted,
                  actual,
                  q == null
                      ? new EstimateJson.Bounds(null, null)
                      : new EstimateJson.Bounds(predicted - q, predicted + q),
                  inBand,
                  Double.isNaN(coverage) ? null : coverage,
                  covered.size,
                  mem.rSquared[j],
                  mem.sigma[j])));
    }
    return row.withHealth(added, hits);
  }
}
