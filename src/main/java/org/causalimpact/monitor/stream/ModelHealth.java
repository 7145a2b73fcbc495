package org.causalimpact.monitor.stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.report.JsonReport;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.Quantiles;

/**
 * The model-health signal before interventions: for every closed row and every node, the one-step
 * prediction of the node's structural equation (its parents' observed values at that row and its
 * own past), with a conformal band from the node's latest one-step errors, whether the band covered
 * the actual value, and the rolling empirical coverage. A healthy model covers at about the
 * nominal level; a falling coverage says the model no longer describes the data and impact
 * estimates from it would be off.
 *
 * <p>The fit is renewed every {@code healthRefitEvery} rows on the {@code preWindow} complete rows
 * before; the step it starts predicting from is stored, so after a restart the same fit is rebuilt
 * from the stored rows and the signal continues unchanged. Band: the split-conformal quantile of
 * the last {@value #WINDOW} errors, each made by a model fitted before the row it predicted
 * (unbounded, JSON null, until 19 errors exist at 95%).
 */
final class ModelHealth {
  /** Errors and coverage flags kept per node. */
  static final int WINDOW = 200;

  private final StreamSettings settings;
  private final Map<String, Cached> cache = new HashMap<>();

  private record Cached(long fitStep, long firstStep, FittedScm model) {}

  ModelHealth(StreamSettings settings) {
    this.settings = settings;
  }

  /**
   * Predicts row {@code s} of a monitor and reports each node.
   *
   * @param emit receives (key {@code monitor/node}, record) per node
   */
  void onRowClosed(
      MonitorDefinition def,
      HealthState st,
      ReadOnlyKeyValueStore<String, GridRow> rows,
      long s,
      BiConsumer<String, ObjectNode> emit) {
    if (st.fitStep == GridState.NONE || s - st.fitStep >= settings.healthRefitEvery()) {
      st.fitStep = s;
      cache.remove(def.name());
    }
    Cached fit = cache.get(def.name());
    if (fit == null || fit.fitStep() != st.fitStep) {
      fit = fit(def, rows, st.fitStep);
      if (fit == null) {
        return;
      }
      cache.put(def.name(), fit);
    }
    FittedScm model = fit.model();
    int maxLag = 0;
    for (FittedEquation eq : model.equations()) {
      maxLag = Math.max(maxLag, eq.layout().maxLag());
    }
    List<GridRow> recent = StoredRows.range(rows, def.name(), s - maxLag, s);
    if (recent.isEmpty() || recent.get(recent.size() - 1).step() != s) {
      return;
    }
    long firstRecent = recent.get(0).step();
    long origin = fit.firstStep();
    EquationLayout.NodeValues values =
        (node, t) -> {
          long step = origin + t;
          int i = (int) (step - firstRecent);
          return i < 0 || i >= recent.size() ? Double.NaN : recent.get(i).values()[node];
        };
    GridRow row = recent.get(recent.size() - 1);
    double alpha = 1 - def.intervals().level();
    long stepMs = Math.max(1, def.step().toMillis());
    for (FittedEquation eq : model.equations()) {
      int j = eq.layout().node();
      String name = eq.layout().nodeName();
      double predicted = eq.layout().predict(eq.coefficients(), values, (int) (s - origin));
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
      n.put("rSquared", eq.rSquared());
      n.put("sigma", eq.sigma());
      emit.accept(def.name() + "/" + name, n);
    }
  }

  /** The fit on the complete rows before {@code fitStep}, or {@code null} if too few. */
  private static Cached fit(
      MonitorDefinition def, ReadOnlyKeyValueStore<String, GridRow> rows, long fitStep) {
    List<GridRow> list =
        StoredRows.range(rows, def.name(), fitStep - def.preWindow(), fitStep - 1);
    int begin = 0;
    for (int i = 0; i < list.size(); i++) {
      if (!list.get(i).complete()) {
        begin = i + 1;
      }
    }
    list = list.subList(begin, list.size());
    if (list.size() < 3) {
      return null;
    }
    int nodes = def.graph().size();
    double[][] v = new double[nodes][list.size()];
    for (int i = 0; i < list.size(); i++) {
      for (int j = 0; j < nodes; j++) {
        v[j][i] = list.get(i).values()[j];
      }
    }
    TimeSeriesTable table = new TimeSeriesTable(def.graph().nodeNames(), v, null);
    try {
      FittedScm model = ScmFitter.with(def.fit()).fit(def.graph(), table, 0, list.size());
      return new Cached(fitStep, list.get(0).step(), model);
    } catch (InputException e) {
      return null;
    }
  }
}
