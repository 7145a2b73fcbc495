package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.junit.jupiter.api.Test;

/** While Kafka Streams shuts down, the API says it is stopping, not that it is starting. */
class MonitorQueriesStoppingTest {
  /** Stores that cannot be read: each access throws what {@code failure} gives. */
  private static MonitorQueries unreadable(boolean stopping, Supplier<RuntimeException> failure) {
    return new MonitorQueries(
        List.of(MonitorLoader.load(Path.of("config/monitors/demo.yaml"))),
        new MonitorQueries.Stores() {
          @Override
          public ReadOnlyKeyValueStore<String, InterventionIndex> state() {
            throw failure.get();
          }

          @Override
          public ReadOnlyKeyValueStore<String, TrackedIntervention> interventions() {
            throw failure.get();
          }

          @Override
          public ReadOnlyKeyValueStore<String, GridState> grid() {
            throw failure.get();
          }

          @Override
          public ReadOnlyKeyValueStore<String, RowChunk> rows() {
            throw failure.get();
          }

          @Override
          public boolean stopping() {
            return stopping;
          }
        });
  }

  @Test
  void aClosedStoreDuringShutdownIsStopping() {
    var e =
        assertThrows(
            StoresUnavailableException.class,
            () -> unreadable(true, () -> new InvalidStateStoreException("closed")).monitors());
    assertTrue(e.getMessage().contains("Kafka Streams is stopping"), e.getMessage());
    assertFalse(e.getMessage().contains("starting"), e.getMessage());
  }

  @Test
  void notRunningDuringShutdownIsStoppingNotAnInternalError() {
    var e =
        assertThrows(
            StoresUnavailableException.class,
            () ->
                unreadable(true, () -> new IllegalStateException("State is PENDING_SHUTDOWN."))
                    .monitors());
    assertTrue(e.getMessage().contains("Kafka Streams is stopping"), e.getMessage());
  }

  @Test
  void anUnreadableStoreOtherwiseIsStartingRebalancingOrRestoring() {
    var e =
        assertThrows(
            StoresUnavailableException.class,
            () -> unreadable(false, () -> new InvalidStateStoreException("moved")).monitors());
    assertTrue(e.getMessage().contains("starting, rebalancing"), e.getMessage());
    IllegalStateException bug = new IllegalStateException("a bug");
    assertSame(
        bug, assertThrows(IllegalStateException.class, () -> unreadable(false, () -> bug).monitors()));
  }
}
