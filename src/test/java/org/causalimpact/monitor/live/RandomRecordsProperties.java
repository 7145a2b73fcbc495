package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.state.TrackedIntervention;

/**
 * Random records into the whole topology ({@link TopologyTestDriver}; jqwik with fixed seeds and
 * bounded tries): random bytes, valid points, points with one random edit, objects of random fields
 * and values, random intervention events. Whatever comes, piping never throws (an exception would
 * stop a real stream), every dead letter carries a documented reason and the original key and
 * bytes of the record at its source offset, and every record that is not dead-lettered is used:
 * for points, the values of the rows (closed and open) of a monitor that sums its points add up to
 * the values of the points not dead-lettered; for events, each one not dead-lettered is in the
 * monitor's state.
 *
 * <p>Valid event times stay within a few thousand one-hour steps. Two valid times far apart that
 * both arrive before the monitor's first row closes make it close every row in between, one by
 * one (the monitor bounds only how far a point may lie ahead of its stream time, not behind it
 * while no row is closed): a stall of the monitor processor, not a routing problem, left out here.
 */
class RandomRecordsProperties {
  private static final long HOUR = Duration.ofHours(1).toMillis();

  /** The reasons the README documents for the routers and the monitor, plus out-of-range. */
  private static final Set<String> REASONS =
      Set.of(
          "malformed-json", "invalid-utf8", "wrong-type", "missing-field", "non-finite",
          "out-of-range", "bad-timestamp", "oversize", "empty", "unknown-series",
          "unknown-monitor", "invalid-intervention", "late", "end-without-start",
          "duplicate-start", "already-ended", "analysis-failed", "too-far-ahead",
          "too-many-running");

  /** Sums its points, so the rows' values add up to the values of the points used. */
  private static final MonitorDefinition COUNTING =
      MonitorLoader.parse(
          "name: counting\nstep: 1h\npreWindow: 10\nmodel: {aggregation: sum}\n"
              + "nodes:\n  - name: x\n  - name: y\n    parents: [x]\n",
          "counting.yaml");

  private static final TopologySettings SETTINGS =
      TopologySettings.defaults().withGrace(Duration.ZERO);
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final AtomicInteger DRIVERS = new AtomicInteger();
  private static final Path STATE = tempDir();

  /** One input record; shown as text in a failure report. */
  record Input(byte[] key, byte[] value) {
    @Override
    public String toString() {
      return text(key) + " -> " + text(value);
    }

    private static String text(byte[] b) {
      if (b == null) {
        return "null";
      }
      String s = new String(b, StandardCharsets.UTF_8);
      return s.length() > 120 ? s.substring(0, 120) + "...(" + b.length + " bytes)" : s;
    }
  }

  // ---- generators ----------------------------------------------------------------------------

  private static Arbitrary<byte[]> keys(String... named) {
    List<Arbitrary<byte[]>> options = new ArrayList<>();
    options.add(Arbitraries.just(null));
    for (String n : named) {
      options.add(Arbitraries.just(utf8(n)));
    }
    options.add(Arbitraries.bytes().array(byte[].class).ofMaxSize(8));
    return Arbitraries.oneOf(options);
  }

  /** Epoch milliseconds inside the window the properties use (200 one-hour steps). */
  private static Arbitrary<Long> times() {
    return Arbitraries.longs().between(0, 200 * HOUR);
  }

  /** Valid points of x and y, non-zero whole values (exact sums), time as epoch ms or ISO. */
  private static Arbitrary<String> validPoints() {
    return Combinators.combine(
            Arbitraries.of("x", "y"),
            times(),
            Arbitraries.integers().between(-1000, 1000).filter(v -> v != 0),
            Arbitraries.of(true, false))
        .as(
            (s, t, v, iso) ->
                "{\"series\":\"" + s + "\",\"timestamp\":"
                    + (iso ? "\"" + Instant.ofEpochMilli(t) + "\"" : Long.toString(t))
                    + ",\"value\":" + v + "}");
  }

  /** A valid point (epoch-ms time) with one random edit: cut, inserted or deleted character. */
  private static Arbitrary<String> editedPoints() {
    Arbitrary<String> epochPoints =
        Combinators.combine(Arbitraries.of("x", "y"), times(),
                Arbitraries.integers().between(1, 1000))
            .as((s, t, v) -> "{\"series\":\"" + s + "\",\"timestamp\":" + t + ",\"value\":" + v + "}");
    return Combinators.combine(
            epochPoints,
            Arbitraries.integers().between(0, 2),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.of('"', '{', '}', ',', ':', '\\', '0', '9', 'e', '-', '.', ' ', '\u00e9'))
        .as(
            (p, kind, where, c) -> {
              int i = (int) Math.floor(where * p.length());
              return switch (kind) {
                case 0 -> p.substring(0, i);
                case 1 -> p.substring(0, i) + c + p.substring(i);
                default -> p.substring(0, i) + p.substring(Math.min(p.length(), i + 1));
              };
            });
  }

  /** JSON-ish tokens for field values: right and wrong types, non-finite and huge numbers. */
  private static final List<String> TOKENS =
      List.of(
          "null", "true", "[]", "{}", "\"\"", "\"x\"", "\"y\"", "\"q\"", "-1", "0", "7", "1.5",
          "1e308", "-1e400", "NaN", "Infinity", "\"NaN\"", "3600000", "-3600000",
          "\"1970-01-02T00:00:00Z\"", "\"+10000-01-01T00:00:00Z\"", "\"yesterday\"",
          "123456789012345678901234567890", "[[[[[[[[1]]]]]]]]", "{\"value\":1}");

  /** An object of a random subset of the point's fields (and a stray one) with random tokens. */
  private static Arbitrary<String> fieldSoup() {
    Arbitrary<String> field =
        Combinators.combine(
                Arbitraries.of("series", "timestamp", "value", "value", "extra"),
                Arbitraries.of(TOKENS))
            .as((f, v) -> "\"" + f + "\":" + v);
    return field.list().ofMaxSize(5).map(fs -> "{" + String.join(",", fs) + "}");
  }

  private static Arbitrary<byte[]> oddBodies() {
    return Arbitraries.of(
        new byte[0], null, utf8(" "), utf8("null"), utf8("[]"), utf8("42"), utf8("\"x\""),
        new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
        new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, utf8("{} {}"));
  }

  private static Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
  }

  @Provide
  Arbitrary<List<Input>> metricRecords() {
    Arbitrary<byte[]> value =
        Arbitraries.frequencyOf(
            Tuple.of(5, validPoints().map(RandomRecordsProperties::utf8)),
            Tuple.of(2, editedPoints().map(RandomRecordsProperties::utf8)),
            Tuple.of(2, fieldSoup().map(RandomRecordsProperties::utf8)),
            Tuple.of(1, randomBytes()),
            Tuple.of(1, oddBodies()));
    return Combinators.combine(keys("x", "y"), value).as(Input::new).list().ofMinSize(1)
        .ofMaxSize(150);
  }

  @Provide
  Arbitrary<List<Input>> eventRecords() {
    Arbitrary<String> field =
        Arbitraries.oneOf(
            Arbitraries.of("\"monitor\":\"counting\"", "\"monitor\":\"other\"", "\"monitor\":3"),
            Arbitraries.of("\"id\":\"a\"", "\"id\":\"b\"", "\"id\":\"\"", "\"id\":5"),
            Arbitraries.of("\"action\":\"start\"", "\"action\":\"end\"", "\"action\":\"pause\""),
            times().map(t -> "\"timestamp\":" + t),
            Arbitraries.of("\"timestamp\":-1", "\"timestamp\":\"soon\"", "\"endTimestamp\":7200000"),
            Arbitraries.of(
                "\"do\":{\"x\":{\"shift\":1}}", "\"do\":{\"x\":{\"set\":NaN}}",
                "\"do\":{\"q\":{\"set\":1}}", "\"do\":{}", "\"do\":{\"x\":{}}",
                "\"do\":{\"x\":{\"shift\":1,\"scale\":2}}", "\"do\":{\"y\":{\"set\":1}}",
                "\"do\":{\"x\":{\"observed\":true}}", "\"do\":{\"x\":{\"scale\":1e200}}",
                "\"do\":[1]"),
            Arbitraries.of("\"outcomes\":[\"y\"]", "\"outcomes\":[\"q\"]", "\"outcomes\":[]",
                "\"outcomes\":\"y\"", "\"outcomes\":[\"y\",\"y\"]", "\"outcome\":[\"y\"]"));
    Arbitrary<byte[]> event =
        field.list().ofMaxSize(7).map(fs -> utf8("{" + String.join(",", fs) + "}"));
    Arbitrary<byte[]> value =
        Arbitraries.frequencyOf(
            Tuple.of(6, event), Tuple.of(1, randomBytes()), Tuple.of(1, oddBodies()));
    return Combinators.combine(keys("counting", "other"), value).as(Input::new).list()
        .ofMinSize(1).ofMaxSize(80);
  }

  // ---- properties ----------------------------------------------------------------------------

  @Property(tries = 40, seed = "6061")
  void everyPointIsUsedOrDeadLetteredAndNothingThrows(@ForAll("metricRecords") List<Input> in)
      throws IOException {
    try (TopologyTestDriver d = driver()) {
      TestInputTopic<byte[], byte[]> metrics =
          d.createInputTopic(SETTINGS.metricsTopic(), new ByteArraySerializer(),
              new ByteArraySerializer());
      for (Input i : in) {
        metrics.pipeInput(i.key(), i.value(), 0L); // a StreamsException here fails the property
      }
      Set<Integer> dead = deadLetters(d, SETTINGS.metricsTopic(), in);

      double accepted = 0;
      for (int o = 0; o < in.size(); o++) {
        if (!dead.contains(o)) {
          JsonNode point = PLAIN.readTree(in.get(o).value()); // used: so it must be a real point
          assertTrue(point.get("value").isNumber(), () -> "used but no number: " + point);
          accepted += point.get("value").asDouble();
        }
      }
      double inRows = 0;
      KeyValueStore<String, RowChunk> rows = d.getKeyValueStore(StoreNames.ROWS_STORE);
      for (GridRow row : StoredRows.range(rows, "counting", 0, Long.MAX_VALUE)) {
        for (int j = 0; j < row.values().length; j++) {
          if (!row.imputed()[j]) {
            inRows += row.values()[j];
          }
        }
      }
      KeyValueStore<String, GridState> grids = d.getKeyValueStore(StoreNames.GRID_STORE);
      GridState grid = grids.get("counting");
      if (grid != null) {
        inRows += grid.openSum();
      }
      assertEquals(accepted, inRows, 1e-9 * Math.max(1, Math.abs(accepted)),
          "the values of the points not dead-lettered are all in the rows");
    }
  }

  @Property(tries = 40, seed = "6062")
  void everyEventIsAppliedOrDeadLetteredAndNothingThrows(@ForAll("eventRecords") List<Input> in)
      throws IOException {
    try (TopologyTestDriver d = driver()) {
      TestInputTopic<byte[], byte[]> events =
          d.createInputTopic(SETTINGS.interventionsTopic(), new ByteArraySerializer(),
              new ByteArraySerializer());
      for (Input i : in) {
        events.pipeInput(i.key(), i.value(), 0L);
      }
      Set<Integer> dead = deadLetters(d, SETTINGS.interventionsTopic(), in);
      KeyValueStore<String, InterventionIndex> states = d.getKeyValueStore(StoreNames.STATE_STORE);
      KeyValueStore<String, TrackedIntervention> records =
          d.getKeyValueStore(StoreNames.INTERVENTIONS_STORE);
      InterventionIndex st = states.get("counting");
      for (int o = 0; o < in.size(); o++) {
        if (dead.contains(o)) {
          continue;
        }
        JsonNode e = PLAIN.readTree(in.get(o).value());
        String id = e.get("id").asText();
        assertNotNull(st, "an event was applied, so the monitor has state");
        TrackedIntervention iv =
            st.running.contains(id) || st.ended.containsKey(id)
                ? records.get(TrackedIntervention.key("counting", id))
                : null;
        assertNotNull(iv, () -> "applied but not in the state: " + e);
        if (e.has("action") && e.get("action").asText().equals("end")) {
          assertNotNull(iv.endStep, () -> "an applied end sets the end: " + e);
        }
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * Checks every dead letter of {@code topic}: a documented reason, the original key and bytes of
   * the input at its source offset, each input at most once.
   *
   * @return the offsets (indexes into {@code in}) that were dead-lettered
   */
  private static Set<Integer> deadLetters(TopologyTestDriver d, String topic, List<Input> in) {
    Set<Integer> offsets = new HashSet<>();
    List<TestRecord<byte[], byte[]>> dlq =
        d.createOutputTopic(TopologySettings.dlq(topic), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())
            .readRecordsToList();
    for (TestRecord<byte[], byte[]> r : dlq) {
      String reason = header(r, DeadLetter.REASON);
      assertTrue(REASONS.contains(reason), () -> "undocumented reason " + reason);
      assertEquals(topic, header(r, DeadLetter.TOPIC));
      int offset = Integer.parseInt(header(r, DeadLetter.OFFSET));
      assertTrue(offsets.add(offset), () -> "dead-lettered twice: offset " + offset);
      assertArrayEquals(in.get(offset).value(), r.value(), "original bytes");
      assertArrayEquals(in.get(offset).key(), r.key(), "original key");
    }
    return offsets;
  }

  private static TopologyTestDriver driver() {
    Properties p = new Properties();
    String name = "random-" + DRIVERS.incrementAndGet();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, STATE.resolve(name).toString());
    return new TopologyTestDriver(MonitorTopology.build(List.of(COUNTING), SETTINGS), p);
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("random-records");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a state directory", e);
    }
  }

  @AfterContainer
  static void deleteState() {
    EmbeddedKafka.deleteRecursively(STATE);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
