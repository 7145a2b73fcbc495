package org.causalimpact.monitor.stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.report.JsonReport;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.SlidingLeastSquares;
import org.causalimpact.monitor.uncertainty.Quantiles;

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
 * row enters the window when it and the rows its lags read are stored and complete. The sums live
 * in the changelogged health store, so after a restart the signal continues unchanged. Band: the
 * split-conformal quantile of the last {@value #WINDOW} errors, each made by a model fitted before
 * the row it predicted (unbounded, JSON null, until 19 errors exist at 95%).
 */
final class ModelHealth {
  /** Errors and coverage flags kept per node. */
  static final int WINDOW = 200;

  /** Largest row index used before the equations' row origin is moved (keeps indexes ints). */
  private static final long MAX_INDEX = 1L << 30;

  private final StreamSettings settings;
  private final Map<String, Equations> equations = new HashMap<>();

  /** One fixed layout per node (trend origin 0, scale the window), and their largest lag. */
  private record Equations(List<EquationLayout> layouts, int maxLag) {}

  ModelHealth(StreamSettings settings) {
    this.settings = settings;
  }

  private Equations equations(MonitorDefinition def) {
    return equations.computeIfAbsent(
        def.name(),
        k -> {
          List<EquationLayout> layouts =
              def.graph().nodeNames().stream()
                  .map(n -> EquationLayout.of(def.graph(), n, 0, def.preWindow()))
                  .toList();
          int maxLag = layouts.stream().mapToInt(EquationLayout::maxLag).max().orElse(0);
          return new Equations(layouts, maxLag);
        });
  }

  /**
   * Predicts row {@code s} of a monitor, reports each node, then slides the window over it.
   *
   * @param emit receives (key {@code monitor/node}, record) per node
   */
  void onRowClosed(
      MonitorDefinition def,
      HealthState st,
      ReadOnlyKeyValueStore<String, GridRow> rows,
      long s,
      BiConsumer<String, ObjectNode> emit) {
    Equations eqs = equations(def);
    int window = def.preWindow();
    if (st.rebuiltAt == GridState.NONE
        || st.lastAdded != s - 1
        || s - st.rebuiltAt >= window
        || s - st.base > MAX_INDEX) {
      rebuild(def, eqs, st, rows, s);
    }
    Rows recent = new Rows(StoredRows.range(rows, def.name(), s - eqs.maxLag(), s));
    GridRow row = recent.get(s);
    if (row == null) {
      return;
    }
    report(def, eqs, st, recent, row, s, emit);
    int p = (int) (s - st.base);
    if (recent.usable(s, eqs.maxLag())) {
      for (EquationLayout layout : eqs.layouts()) {
        st.sums[layout.node()].addRow(layout, recent.values(st.base), p);
      }
    }
    long leaving = s - window;
    Rows old = new Rows(StoredRows.range(rows, def.name(), leaving - eqs.maxLag(), leaving));
    if (leaving >= st.base + eqs.maxLag() && old.usable(leaving, eqs.maxLag())) {
      for (EquationLayout layout : eqs.layouts()) {
        st.sums[layout.node()].removeRow(layout, old.values(st.base), (int) (leaving - st.base));
      }
    }
    st.lastAdded = s;
    if (st.solvedAt == GridState.NONE || s - st.solvedAt >= settings.healthRefitEvery()) {
      solve(def, st, s);
    }
  }

  /** Sums over the stored rows {@code [s - window, s - 1]}, and coefficients from them. */
  private void rebuild(
      MonitorDefinition def,
      Equations eqs,
      HealthState st,
      ReadOnlyKeyValueStore<String, GridRow> rows,
      long s) {
    int window = def.preWindow();
    long first = s - window;
    if (st.base == GridState.NONE || s - st.base > MAX_INDEX) {
      st.base = first - eqs.maxLag();
    }
    for (EquationLayout layout : eqs.layouts()) {
      st.sums[layout.node()] = SlidingLeastSquares.empty(layout.size());
    }
    Rows stored = new Rows(StoredRows.range(rows, def.name(), first - eqs.maxLag(), s - 1));
    for (long r = Math.max(first, st.base + eqs.maxLag()); r < s; r++) {
      if (stored.usable(r, eqs.maxLag())) {
        for (EquationLayout layout : eqs.layouts()) {
          st.sums[layout.node()].addRow(layout, stored.values(st.base), (int) (r - st.base));
        }
      }
    }
    st.lastAdded = s - 1;
    st.rebuiltAt = s;
    solve(def, st, s - 1);
  }

  /** Coefficients from the sums, which hold the window through row {@code last}. */
  private static void solve(MonitorDefinition def, HealthState st, long last) {
    for (int j = 0; j < st.sums.length; j++) {
      SlidingLeastSquares sums = st.sums[j];
      SlidingLeastSquares.Fit fit =
          sums.observations() >= sums.terms() + 2 ? sums.solve(def.fit()) : null;
      boolean usable = fit != null && fit.collinearColumn() < 0;
      st.coefficients[j] = usable ? fit.coefficients() : null;
      st.rSquared[j] = usable ? fit.rSquared() : Double.NaN;
      st.sigma[j] = usable ? fit.sigma() : Double.NaN;
    }
    st.solvedAt = last;
  }

  private static void report(
      MonitorDefinition def,
      Equations eqs,
      HealthState st,
      Rows recent,
      GridRow row,
      long s,
      BiConsumer<String, ObjectNode> emit) {
    double alpha = 1 - def.intervals().level();
    long stepMs = Math.max(1, def.step().toMillis());
    EquationLayout.NodeValues values = recent.values(st.base);
    for (EquationLayout layout : eqs.layouts()) {
      int j = layout.node();
      double[] coef = st.coefficients[j];
      if (coef == null) {
        continue;
      }
      double predicted = layout.predict(coef, values, (int) (s - st.base));
      double actual = row.values()[j];
      if (!Double.isFinite(predicted) || !Double.isFinite(actual) || row.imputed()[j]) {
        continue;
      }
      HealthState.Ring errors = st.errors[j];
      HealthState.Ring covered = st.covered[j];
      Double q = errors.size == 0 ? null : Quantiles.conformal(errors.toArray(), alpha);
      double error = Math.abs(actual - predicted);
      Boolean inBand = q == null ? null : error <= q;
      errors.add(error);
      if (inBand != null) {
        covered.add(inBand ? 1 : 0);
      }
      String name = layout.nodeName();
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("schema", JsonReport.SCHEMA);
      n.put("monitor", def.name());
      n.put("node", name);
      n.put("timestamp", Instant.ofEpochMilli(s * stepMs).toString());
      n.put("level", def.intervals().level());
      n.put("predicted", predicted);
      n.put("actual", actual);
      var band = n.putArray("band");
      if (q == null) {
        band.addNull();
        band.addNull();
      } else {
        band.add(predicted - q);
        band.add(predicted + q);
      }
      if (inBand == null) {
        n.putNull("covered");
      } else {
        n.put("covered", inBand);
      }
      if (covered.size == 0) {
        n.putNull("coverage");
      } else {
        n.put("coverage", covered.sum() / covered.size);
      }
      n.put("window", covered.size);
      n.put("rSquared", st.rSquared[j]);
      n.put("sigma", st.sigma[j]);
      emit.accept(def.name() + "/" + name, n);
    }
  }

  /** Stored rows by step, read as equation rows counted from a base step. */
  private static final class Rows {
    private final List<GridRow> list;
    private final long first;

    Rows(List<GridRow> list) {
      this.list = list;
      this.first = list.isEmpty() ? 0 : list.get(0).step();
    }

    /** The row of step {@code s}, or {@code null} if not stored. */
    GridRow get(long s) {
      long i = s - first;
      if (i < 0 || i >= list.size()) {
        return null;
      }
      GridRow r = list.get((int) i);
      return r.step() == s ? r : find(s);
    }

    private GridRow find(long s) {
      for (GridRow r : list) {
        if (r.step() == s) {
          return r;
        }
      }
      return null;
    }

    /** Whether rows {@code s - maxLag .. s} are all stored and complete. */
    boolean usable(long s, int maxLag) {
      for (long r = s - maxLag; r <= s; r++) {
        GridRow row = get(r);
        if (row == null || !row.complete()) {
          return false;
        }
      }
      return true;
    }

    EquationLayout.NodeValues values(long base) {
      return (node, t) -> {
        GridRow r = get(base + t);
        return r == null ? Double.NaN : r.values()[node];
      };
    }
  }
}
