package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StateSerdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reading rows from a real (in-memory) rows store, chunk by chunk and with an iterator. */
class StoredRowsTest {
  private static final long FIRST = 37;
  private static final long LAST = 300;

  private KeyValueStore<String, RowChunk> store;

  @BeforeEach
  void fill() {
    store =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("rows"), Serdes.String(), StateSerdes.CHUNK)
            .withLoggingDisabled()
            .build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    // a neighbouring monitor's rows must never be read
    for (String monitor : List.of("m", "m2", "l")) {
      for (long s = FIRST; s <= LAST; s++) {
        String key = RowChunk.key(monitor, RowChunk.indexOf(s));
        RowChunk c = store.get(key);
        if (c == null) {
          c = new RowChunk(RowChunk.indexOf(s));
        }
        c.put(new GridRow(s, new double[] {s, monitor.length()}, new boolean[2]));
        store.put(key, c);
      }
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void everySpanReadsExactlyTheStoredRowsInItInOrder() {
    int spans = 0;
    for (long from = -20; from <= LAST + 20; from += 3) {
      // short spans take single-chunk lookups, long ones the iterator
      for (long to = from - 1; to <= from + 120; to += 1 + (to - from) / 8) {
        List<Long> expected = new ArrayList<>();
        for (long s = Math.max(from, FIRST); s <= Math.min(to, LAST); s++) {
          expected.add(s);
        }
        List<GridRow> read = StoredRows.range(store, "m", from, to);
        assertEquals(
            expected, read.stream().map(GridRow::step).toList(), "[" + from + ", " + to + "]");
        for (GridRow r : read) {
          assertEquals(1.0, r.values()[1], "row of monitor m at " + r.step());
        }
        spans++;
      }
    }
    assertTrue(spans > 1000, "spans read: " + spans);
  }
}
