package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.state.StoreNames;
import org.junit.jupiter.api.Test;

/** The interactive queries over stores that hold interventions as an earlier build wrote them. */
class MonitorQueriesTest {
  private static final long HOUR = 3_600_000L;

  /** One record with every intervention in it (version 1): c running, a ended. */
  private static final String VERSION_1 =
      "{\"interventions\":{\"c\":{\"id\":\"c\",\"startStep\":30,\"actions\":{\"x\":{\"set\":1.0}},"
          + "\"outcomes\":[\"y\"],\"emittedThrough\":31}},"
          + "\"ended\":{\"a\":{\"id\":\"a\",\"startStep\":10,\"endStep\":12,\"reportEndStep\":12,"
          + "\"summarized\":true,\"actions\":{\"x\":{\"shift\":2.0}},\"emittedThrough\":11}}}";

  /** A store that only answers {@code get}, from a map. */
  private static <V> ReadOnlyKeyValueStore<String, V> store(Map<String, V> values) {
    return new ReadOnlyKeyValueStore<>() {
      @Override
      public V get(String key) {
        return values.get(key);
      }

      @Override
      public KeyValueIterator<String, V> range(String from, String to) {
        throw new UnsupportedOperationException("not read by these queries");
      }

      @Override
      public KeyValueIterator<String, V> all() {
        throw new UnsupportedOperationException("not read by these queries");
      }

      @Override
      public long approximateNumEntries() {
        return values.size();
      }
    };
  }

  @Test
  void interventionsStoredAsOneRecordAreListedUntilTheyAreWrittenAgain() {
    MonitorDefinition def = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Object index =
        StateSerdes.INTERVENTIONS.deserializer()
            .deserialize("t", VERSION_1.getBytes(StandardCharsets.UTF_8));
    MonitorQueries q =
        MonitorQueries.of(
            List.of(def),
            name ->
                store(
                    name.equals(StoreNames.STATE_STORE)
                        ? Map.of("validation", index)
                        : Map.of()));
    List<InterventionStatus> ivs = q.monitor("validation").orElseThrow().interventions();
    assertEquals(List.of("a", "c"), ivs.stream().map(InterventionStatus::id).toList());
    assertEquals(InterventionStatus.State.ENDED, ivs.get(0).state());
    assertEquals(Instant.ofEpochMilli(12 * HOUR), ivs.get(0).end());
    assertEquals(InterventionStatus.State.ACTIVE, ivs.get(1).state());
    assertEquals(2, ivs.get(1).stepsReported());
  }
}
