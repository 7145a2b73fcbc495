package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.causalimpact.monitor.state.RowChunk;

/**
 * Reading a monitor's closed rows from the rows store, and analysing an intervention on them; shared
 * by the processor (which writes the store) and the interactive queries (which only read it). The
 * store holds the rows in {@link RowChunk}s keyed {@code monitor/chunk index}.
 */
final class StoredRows {
  private StoredRows() {}

  /** A monitor's stored rows of steps {@code [from, to]}, in order. */
  @FunctionalInterface
  interface Reader {
    List<GridRow> range(String monitor, long from, long to);
  }

  /**
   * Spans of at most this many chunks are read chunk by chunk: a lookup of a key that is not
   * stored (the rows before a monitor's first) is much cheaper than opening a store iterator.
   */
  private static final long MAX_CHUNK_GETS = 4;

  /** The rows of steps {@code [from, to]} in order. */
  static List<GridRow> range(
      ReadOnlyKeyValueStore<String, RowChunk> rows, String monitor, long from, long to) {
    List<GridRow> list = new ArrayList<>();
    if (to < 0 || to < from) {
      return list;
    }
    long first = RowChunk.indexOf(Math.max(0, from));
    long last = RowChunk.indexOf(to);
    if (last - first < MAX_CHUNK_GETS) {
      for (long c = first; c <= last; c++) {
        RowChunk chunk = rows.get(RowChunk.key(monitor, c));
        if (chunk != null) {
          addRows(chunk, from, to, list);
        }
      }
      return list;
    }
    try (KeyValueIterator<String, RowChunk> it =
        rows.range(RowChunk.key(monitor, first), RowChunk.key(monitor, last))) {
      while (it.hasNext()) {
        addRows(it.next().value, from, to, list);
      }
    }
    return list;
  }

  private static void addRows(RowChunk chunk, long from, long to, List<GridRow> list) {
    for (GridRow r : chunk.rows()) {
      if (r.step() >= from && r.step() <= to) {
        list.add(r);
      }
    }
  }

  /** The store as a {@link Reader}. */
  static Reader reader(ReadOnlyKeyValueStore<String, RowChunk> rows) {
    return (monitor, from, to) -> range(rows, monitor, from, to);
  }

  /** The row of step {@code step}, or {@code null} if not stored. */
  static GridRow row(ReadOnlyKeyValueStore<String, RowChunk> rows, String monitor, long step) {
    RowChunk c = rows.get(RowChunk.key(monitor, RowChunk.indexOf(step)));
    return c == null ? null : c.get(step);
  }

  /** The table an analysis reads, and the row of the intervention's start in it. */
  record Slice(TimeSeriesTable table, int startRow) {}

  /**
   * Rows from {@code preWindow} steps before the start through step {@code last}, as a table
   * labelled by ISO times. The pre-period begins after its last row with a missing value.
   *
   * @throws InputException if no complete row precedes the start
   */
  static Slice slice(
      ReadOnlyKeyValueStore<String, RowChunk> rows,
      MonitorDefinition def,
      TrackedIntervention iv,
      long last) {
    List<GridRow> list = range(rows, def.name(), iv.startStep - def.preWindow(), last);
    int begin = 0;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).step() < iv.startStep && !list.get(i).complete()) {
        begin = i + 1;
      }
    }
    list = list.subList(begin, list.size());
    int nodes = def.graph().size();
    double[][] v = new double[nodes][list.size()];
    List<String> labels = new ArrayList<>(list.size());
    long stepMs = Math.max(1, def.step().toMillis());
    int startRow = -1;
    for (int i = 0; i < list.size(); i++) {
      GridRow r = list.get(i);
      for (int j = 0; j < nodes; j++) {
        v[j][i] = r.values()[j];
      }
      labels.add(Instant.ofEpochMilli(r.step() * stepMs).toString());
      if (startRow < 0 && r.step() >= iv.startStep) {
        startRow = i;
      }
    }
    if (startRow <= 0) {
      throw new InputException(
          "monitor '" + def.name() + "' has no complete rows before intervention '" + iv.id
              + "' starts: send metric points for every node before the start");
    }
    return new Slice(new TimeSeriesTable(def.graph().nodeNames(), v, labels), startRow);
  }

  /**
   * The batch analysis of the slice, with the monitor's settings; rows from the intervention's end
   * on (the persistence period) are analysed with the do-specs lifted.
   */
  static ImpactAnalysis analyze(MonitorDefinition def, TrackedIntervention iv, Slice slice) {
    return ImpactAnalyzer.withDefaults()
        .withFit(def.fit())
        .withIntervals(def.intervals())
        .analyze(def.name(), def.graph(), slice.table(), 0, intervention(iv, slice));
  }

  /**
   * The incremental analysis of the intervention, set up on the slice's pre-period (its rows from
   * the start on are not read: advance them), for at most {@code maxHorizon} post-period rows.
   */
  static StreamingAnalysis streaming(
      MonitorDefinition def, TrackedIntervention iv, Slice slice, int maxHorizon) {
    return StreamingAnalysis.start(
        def.name(), def.graph(), slice.table(), 0, intervention(iv, slice), def.fit(),
        def.intervals(), maxHorizon);
  }

  /** Row {@code r} of {@code t}: its value per column, in the graph's node order. */
  static double[] values(TimeSeriesTable t, int r) {
    double[] v = new double[t.columns().size()];
    for (int j = 0; j < v.length; j++) {
      v[j] = t.values()[j][r];
    }
    return v;
  }

  /** The intervention in the slice's rows; the action end only where it falls inside them. */
  private static Intervention intervention(TrackedIntervention iv, Slice slice) {
    int rows = slice.table().rows();
    int actionEnd = -1;
    if (iv.endStep != null && slice.startRow() + (iv.endStep - iv.startStep) < rows) {
      actionEnd = slice.startRow() + (int) (iv.endStep - iv.startStep);
    }
    return new Intervention(iv.id, iv.actions, iv.outcomes, slice.startRow(), -1, actionEnd);
  }
}
