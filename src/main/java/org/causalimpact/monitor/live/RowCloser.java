package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.List;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.wire.HealthRecord;

/**
 * Aligns points to a monitor's grid in event time and closes rows when stream time passes step end
 * + grace: missing cells are imputed (the node's last value) and flagged, never dropped. A closed
 * row goes to model health while no intervention runs, into the rows store, and to the running
 * interventions. One per processor, on its thread.
 */
final class RowCloser {
  /** Most empty steps one point may close at once; a point further ahead is a bad timestamp. */
  static final long MAX_GAP_STEPS = 100_000;

  private final TopologySettings settings;
  private final StreamListener listener;
  private final MonitorStores stores;
  private final ModelHealth health;
  private final InterventionRunner runner;
  private final Emitter out;

  RowCloser(
      TopologySettings settings,
      StreamListener listener,
      MonitorStores stores,
      ModelHealth health,
      InterventionRunner runner,
      Emitter out) {
    this.settings = settings;
    this.listener = listener;
    this.stores = stores;
    this.health = health;
    this.runner = runner;
    this.out = out;
  }

  static long stepMillis(MonitorDefinition def) {
    return Math.max(1, def.step().toMillis());
  }

  /** Adds a point to its cell, or dead-letters it (late, or far from stream time). */
  void onPoint(MonitorStores.Monitor m, Input.Point p) {
    MonitorDefinition def = m.def;
    GridState st = m.grid;
    long step = Math.floorDiv(p.timestamp(), stepMillis(def));
    if (st.lastClosedStep != GridState.NONE && step <= st.lastClosedStep) {
      out.dead(
          "late",
          "point of '" + p.node() + "' at " + Instant.ofEpochMilli(p.timestamp())
              + " arrived after its step closed (grace " + settings.grace() + ")",
          p.source(), def.name());
      return;
    }
    long reference =
        st.lastClosedStep != GridState.NONE
            ? st.lastClosedStep
            : st.open.isEmpty() ? step : st.open.firstKey();
    // both ways: before the first row closes, a point far behind the first open step would
    // otherwise make the monitor close every step in between
    if (Math.abs(step - reference) > MAX_GAP_STEPS) {
      out.dead(
          "bad-timestamp",
          "point at " + Instant.ofEpochMilli(p.timestamp()) + " is more than " + MAX_GAP_STEPS
              + " steps " + (step > reference ? "ahead of" : "behind")
              + " the monitor's stream time",
          p.source(), def.name());
      return;
    }
    GridState.Cell cell = st.cell(step, def.graph().indexOf(p.node()));
    cell.sum += p.value();
    cell.count++;
    if (p.timestamp() >= cell.lastTime) {
      cell.last = p.value();
      cell.lastTime = p.timestamp();
    }
    st.maxEventTime = Math.max(st.maxEventTime, p.timestamp());
    closeRows(m);
  }

  private void closeRows(MonitorStores.Monitor m) {
    GridState st = m.grid;
    long closable =
        Math.floorDiv(st.maxEventTime - settings.grace().toMillis(), stepMillis(m.def)) - 1;
    long from =
        st.lastClosedStep != GridState.NONE
            ? st.lastClosedStep + 1
            : st.open.isEmpty() ? Long.MAX_VALUE : st.open.firstKey();
    for (long s = from; s <= closable; s++) {
      close(m, s);
    }
  }

  private void close(MonitorStores.Monitor m, long s) {
    MonitorDefinition def = m.def;
    GridState st = m.grid;
    List<NodeDefinition> nodes = def.graph().nodes();
    GridState.Cell[] cells = st.open.remove(s);
    double[] values = new double[nodes.size()];
    boolean[] imputed = new boolean[nodes.size()];
    for (int j = 0; j < nodes.size(); j++) {
      GridState.Cell c = cells == null ? null : cells[j];
      if (c == null || c.count == 0) {
        values[j] = st.lastValues[j];
        imputed[j] = true;
      } else {
        values[j] = aggregate(nodes.get(j).aggregation(), c);
        st.lastValues[j] = values[j];
      }
    }
    GridRow row = new GridRow(s, values, imputed);
    long time = s * stepMillis(def);
    boolean running = m.activeAt(s);
    if (!running) {
      row =
          health.onRowClosed(
              def,
              m.health(),
              stores.reader(),
              row,
              r -> {
                HealthRecord h = r.record();
                out.emit(settings.healthTopic(), r.key(), h.toJson(), time);
                listener.health(def.name(), h.node(), h.rSquared(), h.sigma(), h.coverage());
              });
    }
    stores.storeRow(def.name(), row);
    st.lastClosedStep = s;
    listener.rowClosed(def.name(), time);
    long leaving = s - keep(def);
    if (leaving >= 0 && RowChunk.indexOf(leaving + 1) != RowChunk.indexOf(leaving)) {
      // the chunk's last row is no longer kept
      stores.dropChunk(def.name(), RowChunk.indexOf(leaving));
    }
    if (running) {
      runner.rowClosed(m, s);
    }
  }

  /**
   * Rows kept per monitor (and up to a chunk more): what a running analysis is set up again from
   * (its pre-period and post-period, persistence rows included) and what model health is rebuilt
   * from.
   */
  private long keep(MonitorDefinition def) {
    long post = (long) settings.maxPostRows() + settings.persistenceRows();
    return Math.max(def.preWindow() + post, health.rowsNeeded(def, post)) + 1;
  }

  private static double aggregate(Aggregation a, GridState.Cell c) {
    return switch (a) {
      case SUM -> c.sum;
      case MEAN -> c.sum / c.count;
      case LAST -> c.last;
    };
  }
}
