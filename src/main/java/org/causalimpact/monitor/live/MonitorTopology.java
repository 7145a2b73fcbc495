package org.causalimpact.monitor.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.EventRouter;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.PointRouter;
import org.causalimpact.monitor.ingest.Routed;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.state.StoreNames;

/**
 * The Kafka Streams topology of the monitor, a pure function of the monitors and settings:
 *
 * <pre>
 *   metrics ──► route-metrics ──┐                       ┌─► impact, impact.summary
 *                               ├─ live ─► by-monitor ─► monitor (state: monitor-state, monitor-rows)
 *   interventions ► route-int. ─┘                       └─► metrics.dlq / interventions.dlq (late, ...)
 *                               └─ dead ─► metrics.dlq / interventions.dlq
 * </pre>
 *
 * Points are routed to every monitor that has their series as a node and repartitioned by monitor
 * name, so one task owns each monitor's state. Inputs already keyed by monitor ({@link
 * TopologySettings#keyedByMonitor()}) skip the repartition topic: the task that reads a partition
 * of
 * {@code metrics} and {@code interventions} owns the monitors keyed to it. Outputs go to the topic
 * each record names.
 */
public final class MonitorTopology {
  private MonitorTopology() {}

  public static Topology build(List<MonitorDefinition> monitors, TopologySettings settings) {
    return build(monitors, settings, StreamListener.NONE);
  }

  /**
   * The topology, reporting to {@code listener} as it runs (meters), with Kafka's default record
   * size limits.
   */
  public static Topology build(
      List<MonitorDefinition> monitors, TopologySettings settings, StreamListener listener) {
    return build(monitors, settings, listener, OutputGuard.defaults());
  }

  /**
   * The topology, reporting to {@code listener} as it runs (meters); every record it writes passes
   * {@code guard} first (size limits, records Kafka refused before).
   */
  public static Topology build(
      List<MonitorDefinition> monitors,
      TopologySettings settings,
      StreamListener listener,
      OutputGuard guard) {
    Map<String, MonitorDefinition> byName = new LinkedHashMap<>();
    Map<String, List<String>> bySeries = new LinkedHashMap<>();
    for (MonitorDefinition m : monitors) {
      if (byName.put(m.name(), m) != null) {
        throw new IllegalArgumentException("two monitors are named '" + m.name() + "'");
      }
      for (NodeDefinition n : m.graph().nodes()) {
        bySeries.computeIfAbsent(n.name(), k -> new ArrayList<>()).add(m.name());
      }
    }
    StreamsBuilder b = new StreamsBuilder();
    // The per-monitor stores are cached: a monitor's state changes with every point, and the
    // cache sends only its latest value to RocksDB and the changelog at each commit.
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.STATE_STORE),
                Serdes.String(),
                StateSerdes.INTERVENTIONS)
            .withCachingEnabled());
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.INTERVENTIONS_STORE),
                Serdes.String(),
                StateSerdes.INTERVENTION)
            .withCachingEnabled());
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.GRID_STORE),
                Serdes.String(),
                StateSerdes.GRID)
            .withCachingEnabled());
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.HEALTH_STORE),
                Serdes.String(),
                StateSerdes.HEALTH)
            .withCachingEnabled());
    b.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.ROWS_STORE),
                Serdes.String(),
                StateSerdes.CHUNK)
            .withCachingEnabled());

    Consumed<byte[], byte[]> raw = Consumed.with(Serdes.ByteArray(), Serdes.ByteArray());
    KStream<String, Routed> points =
        b.stream(settings.metricsTopic(), raw.withName("metrics-in"))
            .peek((k, v) -> listener.recordIn(settings.metricsTopic()), Named.as("count-metrics"))
            .process(
                () -> new RoutingProcessor(new PointRouter(bySeries, settings.keyedByMonitor())),
                Named.as("route-metrics"));
    KStream<String, Routed> events =
        b.stream(settings.interventionsTopic(), raw.withName("interventions-in"))
            .peek(
                (k, v) -> listener.recordIn(settings.interventionsTopic()),
                Named.as("count-interventions"))
            .process(
                () -> new RoutingProcessor(new EventRouter(byName, settings.keyedByMonitor())),
                Named.as("route-interventions"));
    Map<String, KStream<String, Routed>> parts =
        points
            .merge(events, Named.as("merge-inputs"))
            .split(Named.as("input-"))
            .branch((k, v) -> v instanceof DeadLetter, Branched.as("dead"))
            .defaultBranch(Branched.as("live"));

    Produced<byte[], Output> out =
        Produced.with(Serdes.ByteArray(), Output.SERDE)
            .withName("outputs");
    parts
        .get("input-dead")
        .process(() -> new DeadLetterWriter(listener, guard), Named.as("dead-letters"))
        .to((key, value, ctx) -> value.topic(), Produced.with(Serdes.ByteArray(), Output.SERDE)
            .withName("dead-letters-out"));
    KStream<String, Input> live =
        parts.get("input-live").mapValues(v -> (Input) v, Named.as("envelopes"));
    if (!settings.keyedByMonitor()) {
      // the inputs' partitions say nothing of the monitor: bring each monitor's to one task
      live =
          live.repartition(
              Repartitioned.with(Serdes.String(), InputSerde.SERDE).withName("by-monitor"));
    }
    live
        .process(
            () -> new MonitorProcessor(byName, settings, listener, guard),
            Named.as("monitor"),
            StoreNames.STATE_STORE,
            StoreNames.INTERVENTIONS_STORE,
            StoreNames.GRID_STORE,
            StoreNames.HEALTH_STORE,
            StoreNames.ROWS_STORE)
        .to((key, value, ctx) -> value.topic(), out);
    return b.build();
  }

  /** Turns a router's dead letter into its DLQ record: original bytes, reason headers. */
  private static final class DeadLetterWriter implements Processor<String, Routed, byte[], Output> {
    private final StreamListener listener;
    private final OutputGuard guard;
    private Emitter out;

    DeadLetterWriter(StreamListener listener, OutputGuard guard) {
      this.listener = listener;
      this.guard = guard;
    }

    @Override
    public void init(ProcessorContext<byte[], Output> context) {
      out = new Emitter(context, listener, guard);
    }

    @Override
    public void process(Record<String, Routed> record) {
      out.dead((DeadLetter) record.value(), null, record.timestamp());
    }
  }
}
