package org.causalimpact.monitor.live;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.Interventions;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.state.TrackedIntervention;

/**
 * The monitor processor's five stores, and what this task's monitors' stores held after their
 * last record, so that a record does not read and decode it again: the grid (every point), the
 * interventions (an index per monitor, a record per intervention) and model health's progress
 * (every closed row), and the newest chunk of rows. The held values are a cache: emptied by
 * {@link #clear} (Kafka Streams closes and initialises the processor whenever the task's stores go
 * back to their changelog, as after an aborted transaction), and a monitor's entry is dropped by
 * {@link #forget} when processing one of its records fails halfway. One per processor, on its
 * thread.
 */
final class MonitorStores {
  private final KeyValueStore<String, InterventionIndex> interventionIndex;
  private final KeyValueStore<String, TrackedIntervention> interventionRecords;
  private final KeyValueStore<String, GridState> grids;
  private final KeyValueStore<String, HealthState> healths;
  private final KeyValueStore<String, RowChunk> rows;
  private final StoredRows.Reader reader;
  private final ProcessorContext<?, ?> context;
  private final Map<String, Held> held = new HashMap<>();

  /** One monitor's held values; a field is {@code null} until read or written. */
  private static final class Held {
    GridState grid;
    Interventions interventions;
    HealthState health;

    /** The newest chunk: no chunk after it is stored. */
    RowChunk chunk;
  }

  MonitorStores(ProcessorContext<?, ?> context) {
    this.interventionIndex = context.getStateStore(StoreNames.STATE_STORE);
    this.interventionRecords = context.getStateStore(StoreNames.INTERVENTIONS_STORE);
    this.grids = context.getStateStore(StoreNames.GRID_STORE);
    this.healths = context.getStateStore(StoreNames.HEALTH_STORE);
    this.rows = context.getStateStore(StoreNames.ROWS_STORE);
    this.reader = StoredRows.reader(rows);
    this.context = context;
  }

  /** One monitor's state for the record being processed. */
  Monitor open(MonitorDefinition def) {
    return new Monitor(def);
  }

  /** Drops what is held of {@code monitor}: it may be ahead of the store now. */
  void forget(String monitor) {
    held.remove(monitor);
  }

  void clear() {
    held.clear();
  }

  /** The stored rows as a {@link StoredRows.Reader}. */
  StoredRows.Reader reader() {
    return reader;
  }

  /** The rows store, to read slices of rows from. */
  ReadOnlyKeyValueStore<String, RowChunk> rows() {
    return rows;
  }

  /** Writes a closed row into its chunk, the monitor's newest. */
  void storeRow(String monitor, GridRow row) {
    long index = RowChunk.indexOf(row.step());
    Held h = held.get(monitor);
    RowChunk chunk = h.chunk;
    if (chunk == null || chunk.index != index) {
      // a chunk after the newest is not stored yet: only a chunk not held is read
      chunk =
          chunk != null && index > chunk.index ? null : rows.get(RowChunk.key(monitor, index));
      chunk = chunk != null ? chunk : new RowChunk(index);
      h.chunk = chunk;
    }
    chunk.put(row);
    rows.put(RowChunk.key(monitor, index), chunk);
  }

  /** The stored row of step {@code s}, from the newest chunk in memory if it holds it. */
  GridRow storedRow(String monitor, long s) {
    Held h = held.get(monitor);
    RowChunk chunk = h == null ? null : h.chunk;
    if (chunk != null && chunk.index == RowChunk.indexOf(s)) {
      return chunk.get(s);
    }
    return StoredRows.row(rows, monitor, s);
  }

  /** Deletes a chunk no longer kept. */
  void dropChunk(String monitor, long index) {
    // put(key, null) deletes without reading the old value back, as delete(key) does
    rows.put(RowChunk.key(monitor, index), null);
  }

  /**
   * One monitor's state while a record is processed: the grid (read for every record), the
   * interventions and model health (read only if a row closes or an event needs them); what was
   * read to change is written back by {@link #save}.
   */
  final class Monitor {
    final MonitorDefinition def;
    final GridState grid;
    private final Held entry;
    private boolean interventionsChanged;
    private boolean healthRead;

    private Monitor(MonitorDefinition def) {
      this.def = def;
      this.entry = held.computeIfAbsent(def.name(), k -> new Held());
      if (entry.grid == null) {
        GridState g = grids.get(def.name());
        entry.grid = g != null ? g : new GridState(def.graph().size());
      }
      this.grid = entry.grid;
    }

    /** The interventions, to change: they are written back. */
    Interventions interventions() {
      interventionsChanged = true;
      return read();
    }

    /**
     * The monitor's newest point or the current (wall-clock) time, whichever is later: how far
     * ahead a start may lie is measured from it. Not the task's stream time, which each input's
     * event time moves on (a start's own included); the clock serves a backlog, whose points
     * catch up with its events only later, and the newest point serves data ahead of the clock.
     */
    long latestTime() {
      return Math.max(grid.maxEventTime, context.currentSystemTimeMs());
    }

    /** Whether an intervention runs at step {@code s}: one started at or before it (read only). */
    boolean activeAt(long s) {
      return read().activeAt(s);
    }

    private Interventions read() {
      if (entry.interventions == null) {
        InterventionIndex index = interventionIndex.get(def.name());
        if (index == null) {
          entry.interventions = new Interventions();
        } else {
          Map<String, TrackedIntervention> running = new HashMap<>();
          for (String id : index.running) {
            TrackedIntervention iv = index.upgraded.get(id);
            running.put(
                id,
                iv != null ? iv : interventionRecords.get(TrackedIntervention.key(def.name(), id)));
          }
          entry.interventions = new Interventions(index, running);
          // a version-1 index is written back in the current layout
          interventionsChanged |= !index.upgraded.isEmpty();
        }
      }
      return entry.interventions;
    }

    /** Model health's progress, to change: it is written back. */
    HealthState health() {
      healthRead = true;
      if (entry.health == null) {
        HealthState h = healths.get(def.name());
        entry.health = h != null ? h : new HealthState();
      }
      return entry.health;
    }

    void save() {
      grids.put(def.name(), grid);
      if (interventionsChanged) {
        Interventions st = entry.interventions;
        String monitor = def.name();
        st.unsaved()
            .forEach((id, iv) -> interventionRecords.put(TrackedIntervention.key(monitor, id), iv));
        InterventionIndex index = st.index();
        if (index != null) {
          interventionIndex.put(def.name(), index);
        }
        st.saved();
      }
      if (healthRead) {
        healths.put(def.name(), entry.health);
      }
    }
  }
}
