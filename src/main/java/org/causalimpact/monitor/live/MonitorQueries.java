package org.causalimpact.monitor.live;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.state.TrackedIntervention;

/**
 * Read-only queries over the monitor's state stores (Kafka Streams interactive queries on this
 * instance): monitors, interventions and their impact so far, recent rows. Analyses are recomputed
 * from the stored rows, so they equal the records the stream emitted. Thread-safe as far as the
 * stores are.
 */
public final class MonitorQueries {
  /** Store access; a function so that tests can pass the stores of a TopologyTestDriver. */
  interface Stores {
    ReadOnlyKeyValueStore<String, InterventionIndex> state();

    ReadOnlyKeyValueStore<String, TrackedIntervention> interventions();

    ReadOnlyKeyValueStore<String, GridState> grid();

    ReadOnlyKeyValueStore<String, RowChunk> rows();

    /** Whether the stores are unreadable because Kafka Streams is shutting down. */
    default boolean stopping() {
      return false;
    }
  }

  private final Map<String, MonitorDefinition> monitors;
  private final Stores stores;

  MonitorQueries(List<MonitorDefinition> monitors, Stores stores) {
    Map<String, MonitorDefinition> m = new LinkedHashMap<>();
    monitors.forEach(d -> m.put(d.name(), d));
    this.monitors = m;
    this.stores = stores;
  }

  /**
   * Queries over stores found by name ({@link StoreNames#STATE_STORE}, {@link
   * StoreNames#INTERVENTIONS_STORE}, {@link StoreNames#GRID_STORE}, {@link StoreNames#ROWS_STORE}),
   * e.g. those of a {@code TopologyTestDriver}.
   */
  @SuppressWarnings("unchecked")
  public static MonitorQueries of(
      List<MonitorDefinition> monitors,
      java.util.function.Function<String, ReadOnlyKeyValueStore<String, ?>> storeByName) {
    return new MonitorQueries(
        monitors,
        new Stores() {
          @Override
          public ReadOnlyKeyValueStore<String, InterventionIndex> state() {
            return (ReadOnlyKeyValueStore<String, InterventionIndex>)
                storeByName.apply(StoreNames.STATE_STORE);
          }

          @Override
          public ReadOnlyKeyValueStore<String, TrackedIntervention> interventions() {
            return (ReadOnlyKeyValueStore<String, TrackedIntervention>)
                storeByName.apply(StoreNames.INTERVENTIONS_STORE);
          }

          @Override
          public ReadOnlyKeyValueStore<String, GridState> grid() {
            return (ReadOnlyKeyValueStore<String, GridState>)
                storeByName.apply(StoreNames.GRID_STORE);
          }

          @Override
          public ReadOnlyKeyValueStore<String, RowChunk> rows() {
            return (ReadOnlyKeyValueStore<String, RowChunk>)
                storeByName.apply(StoreNames.ROWS_STORE);
          }
        });
  }

  /** Queries over a running {@link KafkaStreams} instance's local stores. */
  public static MonitorQueries over(KafkaStreams streams, List<MonitorDefinition> monitors) {
    return new MonitorQueries(
        monitors,
        new Stores() {
          @Override
          public ReadOnlyKeyValueStore<String, InterventionIndex> state() {
            return streams.store(
                StoreQueryParameters.fromNameAndType(
                    StoreNames.STATE_STORE, QueryableStoreTypes.keyValueStore()));
          }

          @Override
          public ReadOnlyKeyValueStore<String, TrackedIntervention> interventions() {
            return streams.store(
                StoreQueryParameters.fromNameAndType(
                    StoreNames.INTERVENTIONS_STORE, QueryableStoreTypes.keyValueStore()));
          }

          @Override
          public ReadOnlyKeyValueStore<String, GridState> grid() {
            return streams.store(
                StoreQueryParameters.fromNameAndType(
                    StoreNames.GRID_STORE, QueryableStoreTypes.keyValueStore()));
          }

          @Override
          public ReadOnlyKeyValueStore<String, RowChunk> rows() {
            return streams.store(
                StoreQueryParameters.fromNameAndType(
                    StoreNames.ROWS_STORE, QueryableStoreTypes.keyValueStore()));
          }

          @Override
          public boolean stopping() {
            return streams.state().isShuttingDown() || streams.state().hasCompletedShutdown();
          }
        });
  }

  /**
   * Every monitor's status.
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  public List<MonitorStatus> monitors() {
    List<MonitorStatus> out = new ArrayList<>();
    for (String name : monitors.keySet()) {
      monitor(name).ifPresent(out::add);
    }
    return out;
  }

  /**
   * The monitor's status, or empty if no monitor has that name.
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  public Optional<MonitorStatus> monitor(String name) {
    return readable(() -> status(name));
  }

  private Optional<MonitorStatus> status(String name) {
    MonitorDefinition def = monitors.get(name);
    if (def == null) {
      return Optional.empty();
    }
    InterventionIndex index = stores.state().get(name);
    GridState grid = stores.grid().get(name);
    long stepMs = Math.max(1, def.step().toMillis());
    List<InterventionStatus> ivs = new ArrayList<>();
    if (index != null) {
      List<String> ids = new ArrayList<>(index.running);
      ids.addAll(index.ended.keySet());
      for (String id : ids) {
        TrackedIntervention a = record(name, index, id);
        if (a != null) {
          ivs.add(status(a, stepMs));
        }
      }
    }
    ivs.sort(java.util.Comparator.comparing(InterventionStatus::start));
    Instant last =
        grid == null || grid.lastClosedStep == GridState.NONE
            ? null
            : Instant.ofEpochMilli(grid.lastClosedStep * stepMs);
    return Optional.of(new MonitorStatus(def, last, grid == null ? 0 : grid.open.size(), ivs));
  }

  /**
   * The analysis of an intervention over the rows closed so far (or its whole post-period once it
   * ended), with the table it read; empty if the monitor or intervention is unknown, or no
   * post-period row has closed yet.
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  public Optional<Impact> intervention(String monitor, String id) {
    return readable(() -> impact(monitor, id));
  }

  private Optional<Impact> impact(String monitor, String id) {
    return reportRows(monitor, id)
        .map(r -> new Impact(
            r.status(), StoredRows.analyze(r.definition(), r.record(), r.slice()),
            r.slice().table()));
  }

  /**
   * What an intervention's report reads: its status and record, and its stored rows from the
   * pre-period through the last row reported (or its whole post-period once it ended); empty as
   * {@link #intervention}.
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  Optional<InterventionRows> interventionRows(String monitor, String id) {
    return readable(() -> reportRows(monitor, id));
  }

  private Optional<InterventionRows> reportRows(String monitor, String id) {
    MonitorDefinition def = monitors.get(monitor);
    if (def == null) {
      return Optional.empty();
    }
    InterventionIndex index = stores.state().get(monitor);
    TrackedIntervention a =
        index == null || !(index.running.contains(id) || index.ended.containsKey(id))
            ? null
            : record(monitor, index, id);
    if (a == null || a.emittedThrough == TrackedIntervention.NONE) {
      return Optional.empty();
    }
    long last =
        a.ending == null || a.reportEndStep == null
            ? a.emittedThrough
            : Math.min(a.emittedThrough, a.reportEndStep - 1);
    StoredRows.Slice slice = StoredRows.slice(stores.rows(), def, a, last);
    return Optional.of(
        new InterventionRows(status(a, Math.max(1, def.step().toMillis())), def, a, slice));
  }

  /** An intervention's status, definition, record and stored rows, as a report reads them. */
  record InterventionRows(
      InterventionStatus status,
      MonitorDefinition definition,
      TrackedIntervention record,
      StoredRows.Slice slice) {}

  /** The record of intervention {@code id} of {@code index} (a version-1 index holds it). */
  private TrackedIntervention record(String monitor, InterventionIndex index, String id) {
    TrackedIntervention a = index.upgraded.get(id);
    return a != null ? a : stores.interventions().get(TrackedIntervention.key(monitor, id));
  }

  /**
   * The last {@code n} complete closed rows of a monitor (fewer if fewer are stored).
   *
   * @throws StoresUnavailableException while the stores cannot be read (rebalance, restore)
   */
  public Optional<TimeSeriesTable> recentRows(String monitor, int n) {
    return readable(() -> rows(monitor, n));
  }

  private Optional<TimeSeriesTable> rows(String monitor, int n) {
    MonitorDefinition def = monitors.get(monitor);
    if (def == null) {
      return Optional.empty();
    }
    GridState grid = stores.grid().get(monitor);
    if (grid == null || grid.lastClosedStep == GridState.NONE) {
      return Optional.of(emptyTable(def));
    }
    List<GridRow> rows =
        StoredRows.range(
            stores.rows(), monitor, grid.lastClosedStep - n + 1, grid.lastClosedStep);
    int begin = 0;
    for (int i = 0; i < rows.size(); i++) {
      if (!rows.get(i).complete()) {
        begin = i + 1;
      }
    }
    rows = rows.subList(begin, rows.size());
    long stepMs = Math.max(1, def.step().toMillis());
    double[][] v = new double[def.graph().size()][rows.size()];
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < v.length; j++) {
        v[j][i] = rows.get(i).values()[j];
      }
      labels.add(Instant.ofEpochMilli(rows.get(i).step() * stepMs).toString());
    }
    return Optional.of(new TimeSeriesTable(def.graph().nodeNames(), v, labels));
  }

  /** Runs a read, turning Kafka's "store not available now" into {@link StoresUnavailableException}. */
  private <T> T readable(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (InvalidStateStoreException | IllegalStateException e) {
      if (stores.stopping()) {
        throw new StoresUnavailableException(
            "the monitor's state is not readable: Kafka Streams is stopping (the application is"
                + " shutting down): " + e.getMessage(),
            e);
      }
      if (e instanceof IllegalStateException notAStoreError) {
        throw notAStoreError;
      }
      throw new StoresUnavailableException(
          "the monitor's state is not readable right now (Kafka Streams is starting, rebalancing"
              + " or restoring its stores): " + e.getMessage(),
          e);
    }
  }

  /** The definition of a monitor, if known. */
  public Optional<MonitorDefinition> definition(String monitor) {
    return Optional.ofNullable(monitors.get(monitor));
  }

  /**
   * An intervention's status, analysis and the rows it was computed on.
   *
   * @param status the intervention
   * @param analysis the batch analysis of its rows so far
   * @param table the rows (pre-period and post-period so far)
   */
  public record Impact(InterventionStatus status, ImpactAnalysis analysis, TimeSeriesTable table) {}

  private static TimeSeriesTable emptyTable(MonitorDefinition def) {
    return new TimeSeriesTable(
        def.graph().nodeNames(), new double[def.graph().size()][0], List.of());
  }

  private static InterventionStatus status(TrackedIntervention a, long stepMs) {
    long reported =
        a.emittedThrough == TrackedIntervention.NONE ? 0 : a.emittedThrough - a.startStep + 1;
    return new InterventionStatus(
        a.id,
        Instant.ofEpochMilli(a.startStep * stepMs),
        a.endStep == null ? null : Instant.ofEpochMilli(a.endStep * stepMs),
        a.actions,
        a.outcomes,
        reported,
        state(a));
  }

  private static InterventionStatus.State state(TrackedIntervention a) {
    if (a.ending == null) {
      return a.pending() ? InterventionStatus.State.PENDING : InterventionStatus.State.ACTIVE;
    }
    return switch (a.ending) {
      case ENDED -> InterventionStatus.State.ENDED;
      case CANCELLED -> InterventionStatus.State.CANCELLED;
      case FAILED -> InterventionStatus.State.FAILED;
    };
  }
}
