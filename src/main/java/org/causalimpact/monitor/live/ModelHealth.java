package org.causalimpact.monitor.live;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.SlidingLeastSquares;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.uncertainty.Quantiles;
import org.causalimpact.monitor.wire.JsonReport;

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

  private final StreamSettings settings;
  private final Map<String, Equations> equations = new HashMap<>();
  private final Map<String, Memory> memory = new HashMap<>();

  /** What a record is written in before it is copied out: one, as the instance is confined. */
  private final ByteArrayBuilder recordBuffer = new ByteArrayBuilder(512);

  /**
   * One fixed layout per node (trend origin 0, scale the window), their largest lag, and each
   * node's fixed record text, by node index.
   */
  private record Equations(EquationLayout[] layouts, int maxLag, NodeText[] texts) {}

  /**
   * One node's model-health record for one row.
   *
   * @param key {@code monitor/node}
   * @param keyBytes the key in UTF-8
   * @param json the record, UTF-8 JSON
   * @param coverage rolling coverage, {@code null} before the first band
   */
  record Report(
      String key,
      byte[] keyBytes,
      String node,
      byte[] json,
      double rSquared,
      double sigma,
      Double coverage) {}

  /** A monitor's model health in memory, at the progress it names. */
  private static final class Memory {
    final HealthState progress = new HealthState();
    final SlidingLeastSquares[] sums;

    /** Per node, the coefficients predicting the next row, or {@code null} (too few rows). */
    final double[][] coefficients;

    final double[] rSquared;
    final double[] sigma;

    /** Per node, the end of its records, {@code ,"rSquared":..,"sigma":..}}, written once a fit. */
    final byte[][] fitText;
    final Ring[] errors;
    final Ring[] covered;

    /** The latest rows the equations read, as stored. */
    final RowRing rows;

    /**
     * Every step up to this one is known not to be stored, now or later ({@link GridState#NONE}
     * while none is known): the rows before a monitor's first, or dropped as too old. The store
     * holds consecutive steps, added at the newest end and dropped at the oldest, so a step older
     * than a row that exists stays missing; knowing it saves a store read per row while a young
     * monitor's window still reaches back before its first row.
     */
    long missingThrough = GridState.NONE;

    /** The row being closed, once one is: it exists, so every missing older step stays so. */
    long closing = GridState.NONE;

    Memory(int nodes, int rowsHeld) {
      rows = new RowRing(rowsHeld, nodes);
      sums = new SlidingLeastSquares[nodes];
      coefficients = new double[nodes][];
      rSquared = new double[nodes];
      sigma = new double[nodes];
      fitText = new byte[nodes][];
      errors = new Ring[nodes];
      covered = new Ring[nodes];
      for (int j = 0; j < nodes; j++) {
        errors[j] = new Ring(WINDOW, true);
        covered[j] = new Ring(WINDOW, false);
      }
    }
  }

  /**
   * The latest values, at most {@code capacity}, oldest dropped first; optionally also kept in
   * ascending order, so that an order statistic needs no copy and no selection.
   */
  static final class Ring {
    final double[] values;
    int start;
    int size;
    private final double[] sorted;
    private double total;

    Ring(int capacity, boolean keepSorted) {
      values = new double[capacity];
      sorted = keepSorted ? new double[capacity] : null;
    }

    void add(double v) {
      if (size < values.length) {
        values[(start + size++) % values.length] = v;
        if (sorted != null) {
          insertSorted(v, size - 1);
        }
      } else {
        double evicted = values[start];
        values[start] = v;
        start = (start + 1) % values.length;
        total -= evicted;
        if (sorted != null) {
          int at = Arrays.binarySearch(sorted, 0, size, evicted);
          System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
          insertSorted(v, size - 1);
        }
      }
      total += v;
    }

    /** Inserts into the first {@code n} sorted values. */
    private void insertSorted(double v, int n) {
      int at = Arrays.binarySearch(sorted, 0, n, v);
      if (at < 0) {
        at = -at - 1;
      }
      System.arraycopy(sorted, at, sorted, at + 1, n - at);
      sorted[at] = v;
    }

    /**
     * The split-conformal quantile of the values ({@link Quantiles#conformal}, the same number),
     * or {@code null} if there are too few; only for a ring kept sorted.
     */
    Double conformal(double alpha) {
      int k = Quantiles.conformalRank(size, alpha);
      return k > size ? null : sorted[k - 1];
    }

    /** The sum kept as values come and go: exact for values that are small integers (hits). */
    double total() {
      return total;
    }
  }

  ModelHealth(StreamSettings settings) {
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
          NodeText[] texts = new NodeText[def.graph().size()];
          for (EquationLayout layout : layouts) {
            texts[layout.node()] = NodeText.of(def, layout.nodeName());
          }
          return new Equations(layouts, maxLag, texts);
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
    GridRow reported = report(def, eqs, mem, row, emit, recordBuffer);
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
      mem.fitText[j] = null;
      if (usable) {
        ByteArrayBuilder text = new ByteArrayBuilder(64);
        ascii(text, ",\"rSquared\":");
        number(text, mem.rSquared[j]);
        ascii(text, ",\"sigma\":");
        number(text, mem.sigma[j]);
        text.append('}');
        mem.fitText[j] = text.toByteArray();
      }
    }
    mem.progress.solvedAt = last;
  }

  private static GridRow report(
      MonitorDefinition def,
      Equations eqs,
      Memory mem,
      GridRow row,
      Consumer<Report> emit,
      ByteArrayBuilder buffer) {
    double alpha = 1 - def.intervals().level();
    long s = row.step();
    long base = mem.progress.base;
    byte[] time =
        Instant.ofEpochMilli(s * Math.max(1, def.step().toMillis()))
            .toString()
            .getBytes(StandardCharsets.US_ASCII);
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
      NodeText text = eqs.texts()[j];
      byte[] json =
          json(buffer, text, time, predicted, actual, q, inBand, coverage, covered.size,
              mem.fitText[j]);
      emit.accept(
          new Report(
              text.key(),
              text.keyBytes(),
              layout.nodeName(),
              json,
              mem.rSquared[j],
              mem.sigma[j],
              Double.isNaN(coverage) ? null : coverage));
    }
    return row.withHealth(added, hits);
  }

  /**
   * One node's record in JSON ({@code null} where there is no band or coverage yet): the text
   * Jackson's generator writes for these fields (numbers by {@link NumberOutput}, as the generator
   * with the fast double writer does), from the node's fixed head, the row's timestamp and the
   * text of the node's latest fit; written in {@code out} (emptied first) and copied out.
   */
  private static byte[] json(
      ByteArrayBuilder out,
      NodeText text,
      byte[] time,
      double predicted,
      double actual,
      Double q,
      Boolean inBand,
      double coverage,
      int window,
      byte[] fitText) {
    out.reset();
    out.write(text.head);
    out.write(time);
    out.write(text.level);
    number(out, predicted);
    ascii(out, ",\"actual\":");
    number(out, actual);
    ascii(out, ",\"band\":[");
    if (q == null) {
      ascii(out, "null,null");
    } else {
      number(out, predicted - q);
      out.append(',');
      number(out, predicted + q);
    }
    ascii(out, "],\"covered\":");
    ascii(out, inBand == null ? "null" : inBand.toString());
    ascii(out, ",\"coverage\":");
    if (Double.isNaN(coverage)) {
      ascii(out, "null");
    } else {
      number(out, coverage);
    }
    ascii(out, ",\"window\":");
    ascii(out, Integer.toString(window));
    out.write(fitText);
    return out.toByteArray();
  }

  private static void number(ByteArrayBuilder out, double v) {
    ascii(out, NumberOutput.toString(v, true));
  }

  /** Text that is all ASCII (names, numbers, literals): its chars are its bytes. */
  private static void ascii(ByteArrayBuilder out, String s) {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * The fixed parts of one node's record: its key, the JSON up to the timestamp's value and the
   * JSON from after the timestamp to the value of {@code predicted} (strings escaped by Jackson).
   */
  record NodeText(String key, byte[] keyBytes, byte[] head, byte[] level) {
    static NodeText of(MonitorDefinition def, String node) {
      JsonStringEncoder enc = JsonStringEncoder.getInstance();
      ByteArrayBuilder head = new ByteArrayBuilder(64);
      ascii(head, "{\"schema\":" + JsonReport.SCHEMA + ",\"monitor\":\"");
      head.write(enc.quoteAsUTF8(def.name()));
      ascii(head, "\",\"node\":\"");
      head.write(enc.quoteAsUTF8(node));
      ascii(head, "\",\"timestamp\":\"");
      ByteArrayBuilder level = new ByteArrayBuilder(32);
      ascii(level, "\",\"level\":");
      number(level, def.intervals().level());
      ascii(level, ",\"predicted\":");
      String key = def.name() + "/" + node;
      return new NodeText(
          key, key.getBytes(StandardCharsets.UTF_8), head.toByteArray(), level.toByteArray());
    }
  }

  /**
   * The values of a monitor's latest rows by step, a fixed number of steps back from the newest:
   * what the equations read (a row, its lags, and the row leaving the window with its lags)
   * without reading the store. A step it does not hold reads as missing, so callers {@link
   * ModelHealth#load} first. It holds only rows as stored: the rows store keeps more steps than
   * this, and a monitor's memory is set up again from the store whenever it may be behind.
   */
  static final class RowRing {
    private final int nodes;
    private final long[] steps;
    private final double[] values;

    RowRing(int capacity, int nodes) {
      this.nodes = nodes;
      this.steps = new long[capacity];
      this.values = new double[capacity * nodes];
      Arrays.fill(steps, GridState.NONE);
    }

    private int slot(long s) {
      return (int) Math.floorMod(s, (long) steps.length);
    }

    void put(GridRow row) {
      int slot = slot(row.step());
      steps[slot] = row.step();
      System.arraycopy(row.values(), 0, values, slot * nodes, nodes);
    }

    boolean holds(long s) {
      return steps[slot(s)] == s;
    }

    /** Whether rows {@code s - maxLag .. s} are all held and complete. */
    boolean usable(long s, int maxLag) {
      for (long r = s - maxLag; r <= s; r++) {
        int slot = slot(r);
        if (steps[slot] != r) {
          return false;
        }
        for (int j = slot * nodes; j < (slot + 1) * nodes; j++) {
          if (!Double.isFinite(values[j])) {
            return false;
          }
        }
      }
      return true;
    }

    EquationLayout.NodeValues values(long base) {
      return (node, t) -> {
        long r = base + t;
        int slot = slot(r);
        return steps[slot] == r ? values[slot * nodes + node] : Double.NaN;
      };
    }
  }
}
