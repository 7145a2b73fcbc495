package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Inputs;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.GridState;
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of bad inputs, one class per test, through the whole topology ({@link
 * TopologyTestDriver}, monitor {@code config/monitors/validation.yaml}, grace 0).
 *
 * <p>One driver serves every test: 400 rows of simulated data and a running intervention {@code
 * campaign} (do(x shift 5), outcome y) are set up once, so the analysis behind each impact record
 * is real. Each test sends its bad input, checks that exactly that record reached the dead-letter
 * topic of its input with the expected {@code cim.reason}, its original key and bytes (the first
 * 4 KiB of a larger value, with its size and SHA-256) and its source topic, partition and offset,
 * and then sends the next row of valid points, which must close one more row and produce the next
 * impact record of {@code campaign}: the stream kept running. Tests do not depend on each other's
 * order; each moves the shared event time on by one row.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final int START = 400;
  private static final String VALID_X = "{\"series\":\"x\",\"timestamp\":%d,\"value\":%s}";

  @TempDir static Path stateDir;

  private MonitorDefinition monitor;
  private TopologySettings settings;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> metrics;
  private TestInputTopic<byte[], byte[]> interventions;
  private TestOutputTopic<byte[], byte[]> metricsDlq;
  private TestOutputTopic<byte[], byte[]> interventionsDlq;
  private TestOutputTopic<byte[], byte[]> impact;
  private TimeSeriesTable data;
  private final AtomicInteger rowsClosed = new AtomicInteger();
  private final AtomicInteger deadLetters = new AtomicInteger();

  /** Offsets the next record piped into each input topic gets. */
  private long metricsOffset;

  private long interventionsOffset;

  /** The next row of {@link #data} to send; rows before {@code next - 1} are closed. */
  private int next;

  @BeforeAll
  void startTheStream() {
    monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    settings = TopologySettings.defaults().withGrace(Duration.ZERO);
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    SimulationSpec longer = new SimulationSpec(START + 200, monitor.simulation().equations());
    data = DataSimulator.simulate(monitor.graph(), longer, campaign, 5L).table();
    StreamListener counting =
        new StreamListener() {
          @Override
          public void rowClosed(String m, long stepStartMillis) {
            rowsClosed.incrementAndGet();
          }

          @Override
          public void deadLetter(String sourceTopic, String reason, String m) {
            deadLetters.incrementAndGet();
          }
        };
    driver = new TopologyTestDriver(
        MonitorTopology.build(List.of(monitor), settings, counting), driverProperties("corpus"));
    metrics = input(settings.metricsTopic());
    interventions = input(settings.interventionsTopic());
    metricsDlq = output(TopologySettings.dlq(settings.metricsTopic()));
    interventionsDlq = output(TopologySettings.dlq(settings.interventionsTopic()));
    impact = output(settings.impactTopic());
    for (next = 0; next < START; ) {
      sendRow();
    }
    sendEvent(
        utf8(monitor.name()),
        "{\"monitor\":\"validation\",\"id\":\"campaign\",\"timestamp\":" + START * HOUR
            + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}");
    sendRow(); // row START is open; the next row closes it
    assertTrue(metricsDlq.isEmpty() && interventionsDlq.isEmpty(), "the set-up is valid input");
    impact.readRecordsToList();
  }

  @AfterAll
  void stopTheStream() {
    driver.close();
  }

  @AfterEach
  void theStreamStillRunsAndNothingElseWasDeadLettered() throws Exception {
    assertTrue(metricsDlq.isEmpty(), () -> "unexpected dead letters " + reasons(metricsDlq));
    assertTrue(
        interventionsDlq.isEmpty(), () -> "unexpected dead letters " + reasons(interventionsDlq));
    int closedBefore = rowsClosed.get();
    int step = next - START; // the row that the next row closes, as a step of campaign
    sendRow();
    assertEquals(closedBefore + 1, rowsClosed.get(), "the next valid point closes one more row");
    List<JsonNode> campaign = new ArrayList<>();
    for (TestRecord<byte[], byte[]> r : impact.readRecordsToList()) {
      if (new String(r.key(), StandardCharsets.UTF_8).equals("validation/campaign/y")) {
        campaign.add(Json.MAPPER.readTree(r.value()));
      }
    }
    assertEquals(1, campaign.size(), "one new impact record of the running intervention");
    assertEquals(step, campaign.get(0).get("step").asInt());
    assertTrue(Double.isFinite(campaign.get(0).get("effect").get("mean").asDouble()));
    assertTrue(metricsDlq.isEmpty() && interventionsDlq.isEmpty(), "valid points are used");
  }

  // ---- metric points: JSON syntax ------------------------------------------------------------

  @Test
  void truncatedObjectIsMalformedJson() {
    assertPointDeadLetter("malformed-json", utf8("x"), utf8("{\"series\":\"x\",\"timestamp\":"));
  }

  @Test
  void plainTextIsMalformedJson() {
    assertPointDeadLetter("malformed-json", utf8("x"), utf8("x=42 at 10:00"));
  }

  @Test
  void singleQuotedJsonIsMalformedJson() {
    assertPointDeadLetter(
        "malformed-json", utf8("x"), utf8("{'series':'x','timestamp':" + now() + ",'value':1}"));
  }

  @Test
  void trailingGarbageAfterTheObjectIsMalformedJson() {
    assertPointDeadLetter("malformed-json", utf8("x"), utf8(validX(now(), "1.0") + " trailing"));
  }

  @Test
  void twoConcatenatedObjectsAreMalformedJson() {
    assertPointDeadLetter(
        "malformed-json", utf8("x"), utf8(validX(now(), "1.0") + validX(now(), "2.0")));
  }

  @Test
  void aFieldGivenTwiceIsMalformedJson() {
    assertPointDeadLetter(
        "malformed-json",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":" + now() + ",\"value\":1,\"value\":2}"));
  }

  @Test
  void rawControlCharacterInAStringIsMalformedJson() {
    assertPointDeadLetter(
        "malformed-json",
        utf8("x"),
        utf8("{\"series\":\"x\u0001\",\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void byteOrderMarkBeforeTheObjectIsMalformedJson() {
    byte[] json = utf8(validX(now(), "1.0"));
    byte[] withBom = new byte[json.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(json, 0, withBom, 3, json.length);
    assertPointDeadLetter("malformed-json", utf8("x"), withBom);
  }

  @Test
  void deeplyNestedJsonIsMalformedJsonWithoutOverflowingTheStack() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    TestRecord<byte[], byte[]> d =
        assertPointDeadLetter(
            "malformed-json",
            utf8("x"),
            utf8("{\"series\":\"x\",\"timestamp\":" + now() + ",\"value\":" + deep + "}"));
    assertTrue(header(d, DeadLetter.ERROR).contains("depth"), header(d, DeadLetter.ERROR));
  }

  @Test
  void numberWithThousandsOfDigitsIsMalformedJson() {
    assertPointDeadLetter(
        "malformed-json",
        utf8("x"),
        utf8(validX(now(), "1" + "0".repeat(5_000))));
  }

  // ---- metric points: not an object ----------------------------------------------------------

  @Test
  void topLevelArrayIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8("[" + validX(now(), "1.0") + "]"));
  }

  @Test
  void topLevelNumberIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8("42.0"));
  }

  @Test
  void topLevelStringIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8("\"x=42\""));
  }

  @Test
  void jsonNullIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8("null"));
  }

  // ---- metric points: empty, size, encoding --------------------------------------------------

  @Test
  void emptyValueIsEmpty() {
    assertPointDeadLetter("empty", utf8("x"), new byte[0]);
  }

  @Test
  void tombstoneIsEmpty() {
    assertPointDeadLetter("empty", utf8("x"), null);
  }

  @Test
  void whitespaceOnlyIsEmpty() {
    assertPointDeadLetter("empty", utf8("x"), utf8(" \n\t "));
  }

  @Test
  void moreThanOneMebibyteIsOversizeButExactlyOneIsRead() {
    String json = validX(now(), "7.0");
    byte[] atLimit = utf8(json + " ".repeat(Inputs.MAX_BYTES - json.length()));
    assertEquals(1 << 20, atLimit.length);
    metrics.pipeInput(utf8("x"), atLimit, now());
    metricsOffset++;
    assertTrue(metricsDlq.isEmpty(), "a valid point of exactly 1 MiB is used");
    byte[] over = utf8(json + " ".repeat(Inputs.MAX_BYTES - json.length() + 1));
    assertPointDeadLetter("oversize", utf8("x"), over);
  }

  @Test
  void invalidUtf8BytesAreInvalidUtf8() {
    assertPointDeadLetter("invalid-utf8", utf8("x"), new byte[] {(byte) 0xFF, (byte) 0xFE, '{'});
  }

  @Test
  void overlongUtf8EncodingIsInvalidUtf8() {
    // "/" encoded in two bytes (C0 AF): a classic filter bypass, never valid UTF-8
    byte[] head = utf8("{\"series\":\"x");
    byte[] tail = utf8("\",\"timestamp\":" + now() + ",\"value\":1}");
    byte[] v = new byte[head.length + 2 + tail.length];
    System.arraycopy(head, 0, v, 0, head.length);
    v[head.length] = (byte) 0xC0;
    v[head.length + 1] = (byte) 0xAF;
    System.arraycopy(tail, 0, v, head.length + 2, tail.length);
    assertPointDeadLetter("invalid-utf8", utf8("x"), v);
  }

  @Test
  void encodedSurrogateIsInvalidUtf8() {
    byte[] json = utf8(validX(now(), "1.0"));
    byte[] v = Arrays.copyOf(json, json.length + 3);
    v[json.length] = (byte) 0xED; // U+D800, a lone surrogate: not a character
    v[json.length + 1] = (byte) 0xA0;
    v[json.length + 2] = (byte) 0x80;
    assertPointDeadLetter("invalid-utf8", utf8("x"), v);
  }

  // ---- metric points: fields -----------------------------------------------------------------

  @Test
  void seriesMissingIsMissingField() {
    assertPointDeadLetter(
        "missing-field", utf8("x"), utf8("{\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void timestampMissingIsMissingField() {
    assertPointDeadLetter("missing-field", utf8("x"), utf8("{\"series\":\"x\",\"value\":1}"));
  }

  @Test
  void valueNullIsMissingField() {
    assertPointDeadLetter(
        "missing-field",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":" + now() + ",\"value\":null}"));
  }

  @Test
  void valueAsStringIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8(validX(now(), "\"42\"")));
  }

  @Test
  void valueAsObjectIsWrongType() {
    assertPointDeadLetter("wrong-type", utf8("x"), utf8(validX(now(), "{\"mean\":1}")));
  }

  @Test
  void seriesAsNumberIsWrongType() {
    assertPointDeadLetter(
        "wrong-type", utf8("x"), utf8("{\"series\":7,\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void blankSeriesIsWrongType() {
    assertPointDeadLetter(
        "wrong-type",
        utf8("x"),
        utf8("{\"series\":\"  \",\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void timestampAsBooleanIsWrongType() {
    assertPointDeadLetter(
        "wrong-type", utf8("x"), utf8("{\"series\":\"x\",\"timestamp\":true,\"value\":1}"));
  }

  @Test
  void fractionalEpochTimestampIsWrongType() {
    assertPointDeadLetter(
        "wrong-type",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":" + now() + ".5,\"value\":1}"));
  }

  // ---- metric points: numbers ----------------------------------------------------------------

  @Test
  void valueBeyondDoubleRangeIsNonFinite() {
    assertPointDeadLetter("non-finite", utf8("x"), utf8(validX(now(), "1e309")));
  }

  @Test
  void negativeValueBeyondDoubleRangeIsNonFinite() {
    assertPointDeadLetter("non-finite", utf8("x"), utf8(validX(now(), "-1e400")));
  }

  @Test
  void nanLiteralIsNonFinite() {
    // what Python's json.dumps writes for float('nan')
    assertPointDeadLetter("non-finite", utf8("x"), utf8(validX(now(), "NaN")));
  }

  @Test
  void infinityLiteralIsNonFinite() {
    assertPointDeadLetter("non-finite", utf8("x"), utf8(validX(now(), "-Infinity")));
  }

  @Test
  void hugeFiniteValueIsOutOfRange() {
    assertPointDeadLetter("out-of-range", utf8("x"), utf8(validX(now(), "1e308")));
  }

  @Test
  void valuesWhoseSumWouldOverflowAreOutOfRange() {
    // two points of 1.7e308 in one cell would sum to infinity (and mean = sum / count)
    assertPointDeadLetter("out-of-range", utf8("x"), utf8(validX(now(), "1.7e308")));
    assertPointDeadLetter("out-of-range", utf8("x"), utf8(validX(now(), "-1.7e308")));
  }

  @Test
  void largestAcceptedValueIsUsed() {
    // the bound itself is accepted; the next double above it is not
    long t = now();
    metrics.pipeInput(utf8("x"), utf8(validX(t, Double.toString(Inputs.MAX_ABS_VALUE))), t);
    metricsOffset++;
    assertTrue(metricsDlq.isEmpty(), "a value at the bound is used");
    assertPointDeadLetter(
        "out-of-range", utf8("x"), utf8(validX(t, Double.toString(-Math.nextUp(Inputs.MAX_ABS_VALUE)))));
  }

  // ---- metric points: time -------------------------------------------------------------------

  @Test
  void negativeEpochTimestampIsBadTimestamp() {
    assertPointDeadLetter("bad-timestamp", utf8("x"), utf8(validX(-1, "1.0")));
  }

  @Test
  void timestampAfterYear9999IsBadTimestamp() {
    assertPointDeadLetter(
        "bad-timestamp",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":\"+10000-01-01T00:00:00Z\",\"value\":1}"));
  }

  @Test
  void epochMicrosecondsInsteadOfMillisIsBadTimestamp() {
    long micros = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli() * 1000;
    assertPointDeadLetter("bad-timestamp", utf8("x"), utf8(validX(micros, "1.0")));
  }

  @Test
  void epochBeyondLongIsBadTimestamp() {
    assertPointDeadLetter(
        "bad-timestamp",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":123456789012345678901234567890,\"value\":1}"));
  }

  @Test
  void timestampInALocalFormatIsBadTimestamp() {
    assertPointDeadLetter(
        "bad-timestamp",
        utf8("x"),
        utf8("{\"series\":\"x\",\"timestamp\":\"22/11/2026 10:00\",\"value\":1}"));
  }

  @Test
  void pointCenturiesAheadOfStreamTimeIsBadTimestamp() {
    long future = Instant.parse("2500-01-01T00:00:00Z").toEpochMilli();
    assertPointDeadLetter("bad-timestamp", utf8("x"), utf8(validX(future, "1.0")));
  }

  @Test
  void pointForAClosedRowIsLate() {
    assertPointDeadLetter("late", utf8("x"), utf8(validX(3 * HOUR, "1.0")));
  }

  // ---- metric points: routing ----------------------------------------------------------------

  @Test
  void unknownSeriesIsUnknownSeries() {
    assertPointDeadLetter(
        "unknown-series",
        utf8("revenue"),
        utf8("{\"series\":\"revenue\",\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void seriesNameInTheWrongCaseIsUnknownSeries() {
    assertPointDeadLetter(
        "unknown-series",
        utf8("X"),
        utf8("{\"series\":\"X\",\"timestamp\":" + now() + ",\"value\":1}"));
  }

  @Test
  void badPointWithNullKeyKeepsTheNullKeyAndAValidOneIsUsed() {
    metrics.pipeInput((byte[]) null, utf8(validX(now(), "20.0")), now());
    metricsOffset++;
    assertTrue(metricsDlq.isEmpty(), "the key of a point is not needed");
    assertPointDeadLetter("malformed-json", null, utf8("{"));
  }

  @Test
  void duplicatePointIsAggregatedNotDeadLettered() throws Exception {
    // Duplicates are indistinguishable from two events in one step: the node's aggregation
    // (mean here) combines them, so a duplicated point leaves the row's value unchanged.
    long t = now();
    int row = next - 1;
    for (int i = 0; i < 3; i++) {
      metrics.pipeInput(utf8("x"), utf8(validX(t, Double.toString(data.value("x", row)))), t);
      metricsOffset++;
    }
    assertTrue(metricsDlq.isEmpty(), "duplicates are used");
    KeyValueStore<String, GridState> grids = driver.getKeyValueStore(StoreNames.GRID_STORE);
    GridState.Cell cell =
        grids.get("validation").open.get((long) row)[monitor.graph().indexOf("x")];
    assertEquals(4, cell.count, "the row's own point and three copies");
    assertEquals(data.value("x", row), cell.sum / cell.count, 1e-9);
  }

  // ---- intervention events -------------------------------------------------------------------

  @Test
  void malformedEventIsMalformedJson() {
    assertEventDeadLetter("malformed-json", utf8("validation"), utf8("{\"id\":\"a\","));
  }

  @Test
  void eventAsArrayIsWrongType() {
    assertEventDeadLetter("wrong-type", utf8("validation"), utf8("[\"start\"]"));
  }

  @Test
  void eventForUnknownMonitorIsUnknownMonitor() {
    assertEventDeadLetter(
        "unknown-monitor",
        utf8("checkout"),
        utf8(start("\"monitor\":\"checkout\",\"id\":\"a\"", future(), "{\"x\":{\"set\":1}}")));
  }

  @Test
  void eventWithoutMonitorFieldAndNullKeyIsMissingField() {
    assertEventDeadLetter(
        "missing-field", null, utf8(start("\"id\":\"a\"", future(), "{\"x\":{\"set\":1}}")));
  }

  @Test
  void monitorAsNumberIsWrongType() {
    assertEventDeadLetter(
        "wrong-type",
        utf8("validation"),
        utf8(start("\"monitor\":3,\"id\":\"a\"", future(), "{\"x\":{\"set\":1}}")));
  }

  @Test
  void startWithoutIdIsMissingField() {
    assertEventDeadLetter(
        "missing-field",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\"", future(), "{\"x\":{\"set\":1}}")));
  }

  @Test
  void startWithoutTimestampIsMissingField() {
    assertEventDeadLetter(
        "missing-field",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"do\":{\"x\":{\"set\":1}}}"));
  }

  @Test
  void startWithUnreadableTimestampIsBadTimestamp() {
    assertEventDeadLetter(
        "bad-timestamp",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":\"soon\","
            + "\"do\":{\"x\":{\"set\":1}}}"));
  }

  @Test
  void unknownActionIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"action\":\"pause\",\"timestamp\":"
            + future() + "}"));
  }

  @Test
  void interventionOnUnknownNodeIsInvalidIntervention() {
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "invalid-intervention",
            utf8("validation"),
            utf8(start(
                "\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"ad_spend\":{\"set\":1}}")));
    assertTrue(header(d, DeadLetter.ERROR).contains("'ad_spend'"), header(d, DeadLetter.ERROR));
  }

  @Test
  void unknownOutcomeIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":" + future()
            + ",\"do\":{\"x\":{\"set\":1}},\"outcomes\":[\"revenue\"]}"));
  }

  @Test
  void unknownDoOperationIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"x\":{\"double\":2}}")));
  }

  @Test
  void nonFiniteDoAmountIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"x\":{\"shift\":1e400}}")));
  }

  @Test
  void nanDoAmountIsInvalidIntervention() {
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "invalid-intervention",
            utf8("validation"),
            utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"x\":{\"scale\":NaN}}")));
    assertTrue(header(d, DeadLetter.ERROR).contains("finite"), header(d, DeadLetter.ERROR));
  }

  @Test
  void hugeDoAmountIsInvalidIntervention() {
    // starts now: were it accepted, every row from here on would be analysed with it
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start(idOf("huge-" + next), now(), "{\"x\":{\"set\":1e308}}")));
  }

  @Test
  void largestAcceptedDoAmountsAreAnalysed() throws Exception {
    // the bound itself is accepted: one row of each, analysed, then ended
    long row = next - 1;
    List<String> ids = new ArrayList<>();
    for (String spec : List.of("{\"set\":-1e100}", "{\"shift\":1e100}", "{\"scale\":1e100}")) {
      String id = "bound-" + ids.size() + "-" + next;
      ids.add(id);
      sendEvent(utf8("validation"), start(idOf(id), row * HOUR, "{\"x\":" + spec + "}"));
      sendEvent(utf8("validation"), end(id, (row + 1) * HOUR));
    }
    assertTrue(interventionsDlq.isEmpty(), "amounts at the bound are accepted");
    int step = next - START;
    sendRow();
    Set<String> reported = new HashSet<>();
    for (TestRecord<byte[], byte[]> r : impact.readRecordsToList()) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      JsonNode n = Json.MAPPER.readTree(r.value());
      if (key.equals("validation/campaign/y")) {
        assertEquals(step, n.get("step").asInt());
      } else {
        reported.add(n.get("intervention").asText());
        assertTrue(n.get("expectedEffect").get("mean").isNumber(), n.toString());
      }
    }
    assertEquals(Set.copyOf(ids), reported, "each was analysed");
  }

  @Test
  void twoOperationsOnOneNodeAreInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start(
            "\"monitor\":\"validation\",\"id\":\"a\"", future(),
            "{\"x\":{\"shift\":1,\"scale\":2}}")));
  }

  @Test
  void emptyDoSpecIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"x\":{}}")));
  }

  @Test
  void emptyDoWithoutOutcomesIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{}")));
  }

  @Test
  void observedFalseIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"a\"", future(), "{\"x\":{\"observed\":false}}")));
  }

  @Test
  void misspeltFieldIsInvalidIntervention() {
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":" + future()
            + ",\"do\":{\"x\":{\"set\":1}},\"outcome\":[\"y\"]}"));
  }

  @Test
  void idWithASlashOrBeyondTheRuleIsInvalidIntervention() {
    // ids are parts of the keys monitor/id/node: "a/b" would read as intervention a, node b/...
    for (String id : List.of("a/b", "a".repeat(129), "..")) {
      TestRecord<byte[], byte[]> d =
          assertEventDeadLetter(
              "invalid-intervention", utf8("validation"),
              utf8(start(idOf(id), future(), "{\"x\":{\"set\":1}}")));
      assertTrue(header(d, DeadLetter.ERROR).contains("is not an intervention id: use 1 to 128"),
          header(d, DeadLetter.ERROR));
    }
  }

  @Test
  void endWithAnIdBeyondTheRuleIsInvalidIntervention() {
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "invalid-intervention", utf8("validation"),
            utf8("{\"monitor\":\"validation\",\"id\":\"a/b\",\"action\":\"end\","
                + "\"timestamp\":" + future() + "}"));
    assertTrue(header(d, DeadLetter.ERROR).contains("is not an intervention id: use 1 to 128"),
        header(d, DeadLetter.ERROR));
  }

  @Test
  void interventionOnALeafWithoutOutcomesIsInvalidIntervention() {
    // y has no descendants: without "outcomes" there is nothing to report
    assertEventDeadLetter(
        "invalid-intervention",
        utf8("validation"),
        utf8(start("\"monitor\":\"validation\",\"id\":\"leaf\"", future(), "{\"y\":{\"set\":1}}")));
  }

  @Test
  void endTimestampInAStreamedStartIsInvalidIntervention() {
    // the stream reads the end from an "end" event; an ignored endTimestamp would run on silently
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "invalid-intervention",
            utf8("validation"),
            utf8("{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":" + future()
                + ",\"endTimestamp\":" + (future() + HOUR) + ",\"do\":{\"x\":{\"set\":1}}}"));
    assertTrue(header(d, DeadLetter.ERROR).contains("end"), header(d, DeadLetter.ERROR));
  }

  @Test
  void endWithoutStartIsEndWithoutStart() {
    assertEventDeadLetter("end-without-start", utf8("validation"), utf8(end("never-started", now())));
  }

  @Test
  void endWithoutIdIsMissingField() {
    assertEventDeadLetter(
        "missing-field",
        utf8("validation"),
        utf8("{\"monitor\":\"validation\",\"action\":\"end\",\"timestamp\":" + now() + "}"));
  }

  @Test
  void secondStartWithTheSameIdIsDuplicateStart() {
    String id = "twice";
    sendEvent(utf8("validation"), start(idOf(id), future(), "{\"x\":{\"set\":1}}"));
    assertTrue(interventionsDlq.isEmpty(), "the first start is valid");
    assertEventDeadLetter(
        "duplicate-start", utf8("validation"), utf8(start(idOf(id), future(), "{\"x\":{\"shift\":2}}")));
  }

  @Test
  void endBeforeTheStartOfAReportedInterventionIsInvalidIntervention() {
    String id = "backwards-" + next;
    long row = next - 2; // closed: the start replays it at once
    sendEvent(utf8("validation"), start(idOf(id), row * HOUR, "{\"x\":{\"set\":1}}"));
    assertTrue(interventionsDlq.isEmpty(), "the start is valid");
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "invalid-intervention", utf8("validation"), utf8(end(id, (row - 1) * HOUR)));
    String error = header(d, DeadLetter.ERROR);
    assertTrue(error.contains("reported already"), error);
    sendEvent(utf8("validation"), end(id, (row + 1) * HOUR)); // its one row: it ends at once
    assertTrue(interventionsDlq.isEmpty(), "an end after the start is valid");
  }

  @Test
  void startBeyondTheLeadIsTooFarAhead() {
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "too-far-ahead",
            utf8("validation"),
            utf8(start(idOf("year-9999"), Instant.parse("9999-01-01T00:00:00Z").toEpochMilli(),
                "{\"x\":{\"set\":1}}")));
    assertTrue(header(d, DeadLetter.ERROR).contains("monitor.interventions.max.lead"),
        header(d, DeadLetter.ERROR));
  }

  @Test
  void secondEndIsAlreadyEnded() {
    String id = "ended-twice";
    sendEvent(utf8("validation"), start(idOf(id), future(), "{\"x\":{\"set\":1}}"));
    sendEvent(utf8("validation"), end(id, future() + 5 * HOUR));
    assertTrue(interventionsDlq.isEmpty(), "start and end are valid");
    assertEventDeadLetter("already-ended", utf8("validation"), utf8(end(id, future() + 6 * HOUR)));
  }

  @Test
  void restartOfAFinishedInterventionIsDuplicateStart() throws Exception {
    String id = "short-" + next;
    long row = next - 1; // open now: the next row closes it
    sendEvent(utf8("validation"), start(idOf(id), row * HOUR, "{\"x\":{\"shift\":1}}"));
    sendEvent(utf8("validation"), end(id, (row + 1) * HOUR));
    assertTrue(interventionsDlq.isEmpty(), "start and end are valid");
    int step = next - START;
    sendRow();
    readCampaignStep(step);
    KeyValueStore<String, InterventionIndex> states =
        driver.getKeyValueStore(StoreNames.STATE_STORE);
    assertTrue(states.get("validation").ended.containsKey(id), "one row, then it ended");
    assertEventDeadLetter(
        "duplicate-start", utf8("validation"), utf8(start(idOf(id), row * HOUR, "{\"x\":{\"set\":1}}")));
  }

  @Test
  void interventionBeforeEnoughHistoryIsAnalysisFailed() {
    // starts at row 5: 5 rows cannot fit the model; the intervention is dropped, not the stream
    TestRecord<byte[], byte[]> d =
        assertEventDeadLetter(
            "analysis-failed",
            utf8("validation"),
            utf8(start(idOf("too-early"), 5 * HOUR, "{\"x\":{\"set\":1}}")));
    assertFalse(header(d, DeadLetter.ERROR).isBlank());
  }

  // ---- accounting ----------------------------------------------------------------------------

  /**
   * On its own driver with a monitor that sums its points: every point sent is either in a cell
   * (of a closed row or of an open one) or in the dead-letter topic, exactly once.
   */
  @Test
  void everyPointIsEitherUsedOrDeadLettered() {
    MonitorDefinition counting =
        MonitorLoader.parse(
            "name: counting\nstep: 1h\npreWindow: 10\nmodel: {aggregation: sum}\n"
                + "nodes:\n  - name: x\n  - name: y\n    parents: [x]\n",
            "counting.yaml");
    try (TopologyTestDriver d =
        new TopologyTestDriver(
            MonitorTopology.build(List.of(counting), settings), driverProperties("accounting"))) {
      TestInputTopic<byte[], byte[]> in = d.createInputTopic(
          settings.metricsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
      List<byte[]> bad =
          List.of(
              utf8("{"), new byte[0], new byte[] {(byte) 0xC3}, utf8("[]"), utf8("1e400"),
              utf8(validX(0, "NaN")), utf8(validX(0, "\"1\"")), utf8("{\"series\":\"x\"}"),
              utf8("{\"series\":\"q\",\"timestamp\":0,\"value\":1}"), utf8(validX(-5, "1")),
              utf8(validX(0, "1e308")), utf8(validX(0, "1") + "x"));
      int sent = 0;
      int expectedDead = 0;
      for (int row = 0; row < 30; row++) {
        for (int k = 0; k <= row % 3; k++) { // 1 to 3 points of each series per row
          for (String s : List.of("x", "y")) {
            long t = row * HOUR + k * 1000L;
            in.pipeInput(utf8(s), utf8("{\"series\":\"" + s + "\",\"timestamp\":" + t
                + ",\"value\":1}"), t);
            sent++;
          }
        }
        in.pipeInput(utf8("x"), bad.get(row % bad.size()), row * HOUR);
        sent++;
        expectedDead++;
        if (row >= 2) { // a point for a row already closed
          in.pipeInput(utf8("y"), utf8("{\"series\":\"y\",\"timestamp\":" + (row - 2) * HOUR
              + ",\"value\":1}"), row * HOUR);
          sent++;
          expectedDead++;
        }
      }
      List<TestRecord<byte[], byte[]>> dlq =
          d.createOutputTopic(
                  TopologySettings.dlq(settings.metricsTopic()),
                  new ByteArrayDeserializer(),
                  new ByteArrayDeserializer())
              .readRecordsToList();
      Set<String> offsets = new HashSet<>();
      for (TestRecord<byte[], byte[]> r : dlq) {
        assertTrue(offsets.add(header(r, DeadLetter.OFFSET)), "dead-lettered once: " + r);
      }
      long used = 0;
      KeyValueStore<String, RowChunk> rows = d.getKeyValueStore(StoreNames.ROWS_STORE);
      int closed = 0;
      for (GridRow row : StoredRows.range(rows, "counting", 0, Long.MAX_VALUE)) {
        closed++;
        for (int j = 0; j < row.values().length; j++) {
          if (!row.imputed()[j]) {
            used += Math.round(row.values()[j]);
          }
        }
      }
      KeyValueStore<String, GridState> grids = d.getKeyValueStore(StoreNames.GRID_STORE);
      used += grids.get("counting").openPoints();
      assertEquals(29, closed, "rows 0..28 closed; row 29 is open");
      assertEquals(expectedDead, dlq.size(), "dead letters");
      assertEquals(sent, used + dlq.size(), "points in = points used + points dead-lettered");
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Event time of the row that is open now. */
  private long now() {
    return (next - 1) * HOUR;
  }

  /**
   * A time after the data (row 504), within {@code monitor.interventions.max.lead} (7 days) of the
   * rows the tests send: interventions starting then stay pending while the tests run.
   */
  private static long future() {
    return Instant.parse("1970-01-22T00:00:00Z").toEpochMilli();
  }

  private static String idOf(String id) {
    return "\"monitor\":\"validation\",\"id\":\"" + id + "\"";
  }

  private static String start(String head, long timestamp, String doSpec) {
    return "{" + head + ",\"timestamp\":" + timestamp + ",\"do\":" + doSpec + "}";
  }

  private static String end(String id, long timestamp) {
    return "{\"monitor\":\"validation\",\"id\":\"" + id + "\",\"action\":\"end\",\"timestamp\":"
        + timestamp + "}";
  }

  private static String validX(long timestamp, String value) {
    return String.format(java.util.Locale.ROOT, VALID_X, timestamp, value);
  }

  private void sendRow() {
    long t = next * HOUR;
    metrics.pipeInput(utf8("x"), utf8(validX(t, Double.toString(data.value("x", next)))), t);
    metrics.pipeInput(
        utf8("y"),
        utf8("{\"series\":\"y\",\"timestamp\":" + (t + 1000) + ",\"value\":"
            + data.value("y", next) + "}"),
        t + 1000);
    metricsOffset += 2;
    next++;
  }

  private void sendEvent(byte[] key, String json) {
    interventions.pipeInput(key, utf8(json), now());
    interventionsOffset++;
  }

  /** Reads the campaign's record of {@code step} (a row closed by a test itself). */
  private void readCampaignStep(long step) throws Exception {
    boolean found = false;
    for (TestRecord<byte[], byte[]> r : impact.readRecordsToList()) {
      if (new String(r.key(), StandardCharsets.UTF_8).equals("validation/campaign/y")) {
        assertEquals(step, Json.MAPPER.readTree(r.value()).get("step").asLong());
        found = true;
      }
    }
    assertTrue(found, "the campaign's record of step " + step);
  }

  private TestRecord<byte[], byte[]> assertPointDeadLetter(String reason, byte[] key, byte[] value) {
    long offset = metricsOffset++;
    int heard = deadLetters.get();
    metrics.pipeInput(key, value, now());
    return assertDeadLetter(metricsDlq, settings.metricsTopic(), offset, heard, reason, key, value);
  }

  private TestRecord<byte[], byte[]> assertEventDeadLetter(String reason, byte[] key, byte[] value) {
    long offset = interventionsOffset++;
    int heard = deadLetters.get();
    interventions.pipeInput(key, value, now());
    return assertDeadLetter(
        interventionsDlq, settings.interventionsTopic(), offset, heard, reason, key, value);
  }

  private TestRecord<byte[], byte[]> assertDeadLetter(
      TestOutputTopic<byte[], byte[]> dlq,
      String topic,
      long offset,
      int heardBefore,
      String reason,
      byte[] key,
      byte[] value) {
    List<TestRecord<byte[], byte[]>> records = dlq.readRecordsToList();
    assertEquals(1, records.size(), () -> "one dead letter, got " + describe(records));
    TestRecord<byte[], byte[]> d = records.get(0);
    assertEquals(reason, header(d, DeadLetter.REASON), () -> describe(records));
    assertOriginalBytes(value, d);
    if (key == null) {
      assertNull(d.key(), "the original (null) key");
    } else {
      assertArrayEquals(key, d.key(), "the original key");
    }
    assertEquals(topic, header(d, DeadLetter.TOPIC));
    assertEquals("0", header(d, DeadLetter.PARTITION));
    assertEquals(Long.toString(offset), header(d, DeadLetter.OFFSET));
    assertNotNull(header(d, DeadLetter.ERROR));
    assertFalse(header(d, DeadLetter.ERROR).isBlank(), "an error message");
    assertTrue(header(d, DeadLetter.ERROR).length() <= 1003, "the error header is bounded");
    assertEquals(heardBefore + 1, deadLetters.get(), "the listener heard it once");
    return d;
  }

  /**
   * The dead letter holds the original bytes, or where they exceed {@link Source#MAX_VALUE_BYTES}
   * their first bytes with the original size, the whole value's SHA-256 and a truncation header.
   */
  private static void assertOriginalBytes(byte[] value, TestRecord<byte[], byte[]> d) {
    assertEquals(
        Integer.toString(value == null ? -1 : value.length), header(d, DeadLetter.ORIGINAL_SIZE));
    if (value == null || value.length <= Source.MAX_VALUE_BYTES) {
      assertArrayEquals(value, d.value(), "the original bytes");
      assertNull(header(d, DeadLetter.TRUNCATED), "nothing cut");
      assertNull(header(d, DeadLetter.ORIGINAL_SHA256), "no digest");
      return;
    }
    assertArrayEquals(
        Arrays.copyOf(value, Source.MAX_VALUE_BYTES), d.value(), "the original bytes' prefix");
    assertEquals("value", header(d, DeadLetter.TRUNCATED));
    try {
      assertEquals(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value)),
          header(d, DeadLetter.ORIGINAL_SHA256));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String describe(List<TestRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    for (TestRecord<byte[], byte[]> r : records) {
      out.add(header(r, DeadLetter.REASON) + ": " + header(r, DeadLetter.ERROR));
    }
    return out.toString();
  }

  private static List<String> reasons(TestOutputTopic<byte[], byte[]> topic) {
    return topic.readRecordsToList().stream().map(r -> header(r, DeadLetter.REASON)).toList();
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private Properties driverProperties(String name) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bad-input-" + name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
    return p;
  }

  private TestInputTopic<byte[], byte[]> input(String topic) {
    return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private TestOutputTopic<byte[], byte[]> output(String topic) {
    return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
