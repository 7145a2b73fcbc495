package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.HealthState;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model health keeps its sums, coefficients and rings in memory and stores only its progress and
 * the errors per row: whenever the memory is lost (restart, rebalance) or ahead of the store (an
 * aborted transaction), what it reports next must be exactly what an uninterrupted run reports.
 */
class ModelHealthTest {
  /** Rows in the runs; a 60-row window is rebuilt about 7 times. */
  private static final int ROWS = 420;

  /** Rows that model health skips, as if an intervention ran, then a gap-forced rebuild. */
  private static final int PAUSE_FROM = 250;

  private static final int PAUSE_TO = 262;

  @TempDir Path dir;
  private MonitorDefinition def;
  private TimeSeriesTable table;
  private final TopologySettings settings = TopologySettings.defaults();

  @BeforeEach
  void setUp() throws Exception {
    Path yaml = dir.resolve("short-window.yaml");
    Files.writeString(
        yaml,
        Files.readString(Path.of("config/monitors/validation.yaml"))
            .replace("preWindow: 400", "preWindow: 60"));
    def = MonitorLoader.load(yaml);
    assertEquals(60, def.preWindow());
    table = DataSimulator.simulate(def.graph(), def.simulation(), null, 11L).table();
  }

  /** The stored side: rows by key, and the health progress as its bytes. */
  private static final class Stored {
    final TreeMap<Long, GridRow> rows = new TreeMap<>();
    byte[] progress;

    Stored copy() {
      Stored c = new Stored();
      c.rows.putAll(rows);
      c.progress = progress;
      return c;
    }

    HealthState progress() {
      return progress == null
          ? new HealthState()
          : StateSerdes.HEALTH.deserializer().deserialize("t", progress);
    }
  }

  private GridRow row(int s) {
    double[] v = new double[def.graph().size()];
    boolean[] imputed = new boolean[v.length];
    for (int j = 0; j < v.length; j++) {
      v[j] = table.value(def.graph().nodeNames().get(j), s);
    }
    // one node imputed now and then: it adds no error that row
    if (s % 17 == 5) {
      imputed[1] = true;
    }
    return new GridRow(s, v, imputed);
  }

  /** Closes row {@code s} as the processor does; returns the health records as JSON text. */
  private List<String> close(ModelHealth health, Stored st, int s) {
    return close(health, st, s, 0, store(st.rows));
  }

  /** Closes row {@code s} at step {@code first + s}, reading stored rows through {@code rows}. */
  private List<String> close(
      ModelHealth health, Stored st, int s, long first, StoredRows.Reader rows) {
    List<String> out = new ArrayList<>();
    GridRow row = row(s);
    row = new GridRow(first + s, row.values(), row.imputed());
    if (s < PAUSE_FROM || s >= PAUSE_TO) {
      HealthState progress = st.progress();
      row =
          health.onRowClosed(
              def, progress, rows, row,
              r -> out.add(
                  new String(r.key(), StandardCharsets.UTF_8) + " "
                      + new String(r.record().toJson(), StandardCharsets.UTF_8)));
      st.progress = StateSerdes.HEALTH.serializer().serialize("t", progress);
    }
    st.rows.put(first + s, StateSerdes.ROW.deserializer()
        .deserialize("t", StateSerdes.ROW.serializer().serialize("t", row)));
    return out;
  }

  private List<String> uninterrupted() {
    ModelHealth health = new ModelHealth(settings);
    Stored st = new Stored();
    List<String> all = new ArrayList<>();
    for (int s = 0; s < ROWS; s++) {
      all.addAll(close(health, st, s));
    }
    return all;
  }

  /**
   * The records are written field by field without a generator: each must be byte for byte what
   * Jackson writes for the same fields (parsed back, every double exactly, and written again),
   * nulls and integers included.
   */
  @Test
  void recordsAreTheTextJacksonWritesForTheirFields() throws Exception {
    List<String> records = uninterrupted();
    int nullBands = 0;
    for (String line : records) {
      String json = line.substring(line.indexOf(' ') + 1);
      com.fasterxml.jackson.databind.JsonNode tree = Json.MAPPER.readTree(json);
      assertEquals(json, Json.MAPPER.writeValueAsString(tree), "rewritten by Jackson");
      assertEquals(line.substring(0, line.indexOf(' ')),
          tree.get("monitor").asText() + "/" + tree.get("node").asText(), "key");
      if (tree.get("band").get(0).isNull()) {
        nullBands++;
        assertTrue(tree.get("covered").isNull() && tree.get("coverage").isNull(), json);
      } else {
        assertTrue(tree.get("predicted").isDouble() && tree.get("sigma").isDouble(), json);
      }
    }
    assertTrue(nullBands > 0 && nullBands < records.size() / 4, "null bands: " + nullBands);
  }

  @Test
  void anInstanceThatLostItsMemoryReportsExactlyWhatAnUninterruptedOneReports() {
    List<String> expected = uninterrupted();
    assertTrue(expected.size() > 700, "records: " + expected.size());
    String last = expected.get(expected.size() - 1);
    assertTrue(
        last.matches(
            "validation/y \\{\"schema\":1,\"monitor\":\"validation\",\"node\":\"y\","
                + "\"timestamp\":\"1970-01-18T11:00:00Z\",\"level\":0.95,\"predicted\":[-0-9.E]+,"
                + "\"actual\":[-0-9.E]+,\"band\":\\[[-0-9.E]+,[-0-9.E]+\\],\"covered\":(true|false),"
                + "\"coverage\":0\\.[0-9]+,\"window\":200,\"rSquared\":[-0-9.E]+,"
                + "\"sigma\":[-0-9.E]+\\}"),
        last);
    // A new instance (empty memory) every 23 rows: each restores from the stored progress and
    // rows, in every phase of the rebuild cycle, and right after the pause.
    ModelHealth health = new ModelHealth(settings);
    Stored st = new Stored();
    List<String> got = new ArrayList<>();
    for (int s = 0; s < ROWS; s++) {
      if (s % 23 == 0 || s == PAUSE_TO + 1) {
        health = new ModelHealth(settings);
      }
      got.addAll(close(health, st, s));
    }
    assertLinesEqual(expected, got);
  }

  /**
   * A monitor whose first row is not step 0: its window reaches back before its first row for a
   * window's worth of rows. The rows found missing there are looked for once, not once a row, and
   * the records are the same as from step 0 (the equations count rows from their window's start).
   */
  @Test
  void aYoungMonitorLooksForTheRowsBeforeItsFirstOnlyOnce() {
    long first = 100_000;
    ModelHealth health = new ModelHealth(settings);
    Stored st = new Stored();
    int[] readsBefore = {0};
    StoredRows.Reader rows =
        (monitor, from, to) -> {
          if (to < first) {
            readsBefore[0]++;
          }
          return store(st.rows).range(monitor, from, to);
        };
    List<String> got = new ArrayList<>();
    for (int s = 0; s < ROWS; s++) {
      got.addAll(close(health, st, s, first, rows));
    }
    assertTrue(readsBefore[0] <= 2, "reads of steps before the first row: " + readsBefore[0]);
    assertLinesEqual(withoutTimestamps(uninterrupted()), withoutTimestamps(got));
  }

  private static List<String> withoutTimestamps(List<String> records) {
    return records.stream().map(r -> r.replaceFirst("\"timestamp\":\"[^\"]*\"", "")).toList();
  }

  @Test
  void aMemoryAheadOfTheStoreAfterAnAbortIsRebuiltFromTheStore() {
    List<String> expected = uninterrupted();
    ModelHealth health = new ModelHealth(settings);
    Stored st = new Stored();
    List<String> got = new ArrayList<>();
    for (int s = 0; s < ROWS; s++) {
      if (s % 31 == 7) {
        // the transaction of rows s, s+1 aborts: the store goes back, the memory does not
        Stored before = st.copy();
        close(health, st, s);
        close(health, st, s + 1);
        st = before;
      }
      got.addAll(close(health, st, s));
    }
    assertLinesEqual(expected, got);
  }

  @Test
  void storedRowsCarryTheErrorsTheRingsAreRestoredFrom() {
    ModelHealth health = new ModelHealth(settings);
    Stored st = new Stored();
    for (int s = 0; s < ROWS; s++) {
      close(health, st, s);
    }
    GridRow paused = st.rows.get((long) PAUSE_FROM);
    assertEquals(null, paused.errors(), "no health while paused");
    GridRow last = st.rows.get((long) ROWS - 1);
    assertNotNull(last.errors());
    for (int j = 0; j < last.errors().length; j++) {
      assertTrue(last.errors()[j] >= 0, "error of node " + j);
      assertTrue(last.hits()[j] == 0 || last.hits()[j] == 1, "hit of node " + j);
    }
    GridRow imputed = st.rows.get(17L * 20 + 5);
    assertTrue(Double.isNaN(imputed.errors()[1]), "an imputed value adds no error");
    assertEquals(-1, imputed.hits()[1]);
  }

  @Test
  void aSortedRingGivesTheConformalQuantileOfItsLatestValuesAndTheirExactHitCount() {
    HealthMemory.Ring errors = new HealthMemory.Ring(ModelHealth.WINDOW, true);
    java.util.ArrayDeque<Double> latest = new java.util.ArrayDeque<>();
    java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
    for (int i = 0; i < 3 * ModelHealth.WINDOW; i++) {
      // ties on purpose: a value evicted may equal others in the ring
      double e = i % 3 == 0 ? Math.floor(rng.nextDouble() * 5) : rng.nextDouble() * 5;
      errors.add(e);
      latest.addLast(e);
      if (latest.size() > ModelHealth.WINDOW) {
        latest.removeFirst();
      }
      double[] values = latest.stream().mapToDouble(Double::doubleValue).toArray();
      for (double alpha : new double[] {0.05, 0.5}) {
        assertEquals(
            org.causalimpact.monitor.uncertainty.Quantiles.conformal(values, alpha),
            errors.conformal(alpha),
            "after " + (i + 1) + " values, alpha " + alpha);
      }
    }
    double[] check = new double[ModelHealth.WINDOW];
    HealthMemory.Ring again = new HealthMemory.Ring(ModelHealth.WINDOW, false);
    int ones = 0;
    for (int i = 0; i < 500; i++) {
      double hit = (i * 7) % 3 == 0 ? 1 : 0;
      again.add(hit);
      check[i % check.length] = hit;
    }
    for (double v : check) {
      ones += (int) v;
    }
    assertEquals(ones, again.total());
    assertEquals(ModelHealth.WINDOW, again.size);
  }

  private static void assertLinesEqual(List<String> expected, List<String> got) {
    assertEquals(expected.size(), got.size(), "records");
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i), got.get(i), "record " + i);
    }
  }

  /** The rows of a sorted map by step, as the processor reads its rows store. */
  private static StoredRows.Reader store(NavigableMap<Long, GridRow> map) {
    return (monitor, from, to) ->
        from > to ? new ArrayList<>() : new ArrayList<>(map.subMap(from, true, to, true).values());
  }
}
