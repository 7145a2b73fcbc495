package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.TrackedIntervention;

/**
 * The incremental analyses of a processor's running interventions, by {@code monitor/id}: a cache.
 * Each is a pure function of the stored rows and the seed, so one that is missing or not at the
 * row asked for (after a restart, a rebalance or a replay) is set up again from the stored rows and
 * advanced through the rows already reported. One per processor, on its thread.
 */
final class LiveAnalyses {
  private final TopologySettings settings;
  private final MonitorStores stores;
  private final Map<String, StreamingAnalysis> held = new HashMap<>();

  LiveAnalyses(TopologySettings settings, MonitorStores stores) {
    this.settings = settings;
    this.stores = stores;
  }

  /** The analysis held for an intervention, or {@code null}. */
  StreamingAnalysis held(String monitor, TrackedIntervention iv) {
    return held.get(TrackedIntervention.key(monitor, iv.id));
  }

  /** Drops the analysis of an intervention. */
  void forget(String monitor, TrackedIntervention iv) {
    held.remove(TrackedIntervention.key(monitor, iv.id));
  }

  /** Drops every analysis. */
  void clear() {
    held.clear();
  }

  /**
   * Row {@code s} of an intervention, by its incremental analysis advanced one row, with the
   * do-specs lifted from the intervention's end if it has one; equal to the batch analysis of the
   * stored rows through {@code s}.
   *
   * @param row the closed row {@code s}
   */
  List<StreamingAnalysis.OutcomeStep> step(
      MonitorDefinition def, TrackedIntervention iv, long s, GridRow row) {
    String key = TrackedIntervention.key(def.name(), iv.id);
    StreamingAnalysis a = held.get(key);
    int h = (int) (s - iv.startStep);
    if (a == null || a.steps() != h) {
      held.remove(key);
      StoredRows.Slice slice = StoredRows.slice(stores.rows(), def, iv, s);
      a = StoredRows.streaming(def, iv, slice, settings.maxPostRows() + settings.persistenceRows());
      TimeSeriesTable t = slice.table();
      for (int r = slice.startRow(); r < slice.startRow() + h; r++) {
        a.advance(StoredRows.values(t, r), t.label(r));
      }
      held.put(key, a);
    }
    if (iv.endStep != null) {
      int end = a.startRow() + (int) (iv.endStep - iv.startStep);
      if (a.actionEnd() != end) {
        a.endActionsAt(end);
      }
    }
    return a.advance(
        row.values(), Instant.ofEpochMilli(s * RowCloser.stepMillis(def)).toString());
  }
}
