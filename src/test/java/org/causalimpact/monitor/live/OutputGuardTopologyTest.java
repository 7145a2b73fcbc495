package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Input;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the topology does with records it must not write ({@link OutputGuard}) and with inputs of a
 * monitor that is no longer configured, with {@link TopologyTestDriver} (which checks no sizes: the
 * guard's limits are set low here, and the embedded broker test checks Kafka's own). Each test runs
 * the same short campaign of {@code config/monitors/validation.yaml} (seed 3) and compares with a
 * clean run of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutputGuardTopologyTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final int START = 400;
  private static final int ROWS = 410;
  private static final TopologySettings SETTINGS =
      TopologySettings.defaults().withGrace(Duration.ZERO);

  @TempDir static Path stateDir;
  private MonitorDefinition monitor;
  private TimeSeriesTable table;
  private Map<String, List<TestRecord<byte[], byte[]>>> clean;
  private int drivers;

  /** The records of one run and the dead letters the listener heard. */
  private record Run(Map<String, List<TestRecord<byte[], byte[]>>> out, List<String> heard) {
    List<TestRecord<byte[], byte[]>> topic(String t) {
      return out.get(t);
    }
  }

  @BeforeAll
  void cleanRun() {
    monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    table = DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 3L).table();
    clean = run(OutputGuard.defaults(), d -> {}).out();
    assertEquals(ROWS - START, clean.get(SETTINGS.impactTopic()).size(), "the clean run reports");
    assertEquals(1, clean.get(SETTINGS.summaryTopic()).size(), "and summarizes");
  }

  @Test
  void anOutputLargerThanItsTopicTakesIsDeadLetteredAndTheRestIsWritten() throws Exception {
    byte[] summary = clean.get(SETTINGS.summaryTopic()).get(0).value();
    assertTrue(summary.length > Source.MAX_VALUE_BYTES, "a summary of " + summary.length + " B");
    OutputGuard guard =
        new OutputGuard(
            OutputGuard.KAFKA_DEFAULT, Map.of(SETTINGS.summaryTopic(), summary.length), Set.of());
    Run r = run(guard, d -> {});

    assertEquals(List.of(), r.topic(SETTINGS.summaryTopic()), "the summary is not written");
    assertSame(clean.get(SETTINGS.impactTopic()), r.topic(SETTINGS.impactTopic()));
    assertSame(clean.get(SETTINGS.healthTopic()), r.topic(SETTINGS.healthTopic()));
    List<TestRecord<byte[], byte[]>> dead = r.topic(TopologySettings.dlq(SETTINGS.summaryTopic()));
    assertEquals(1, dead.size());
    TestRecord<byte[], byte[]> d = dead.get(0);
    assertEquals(Emitter.TOO_LARGE, header(d, DeadLetter.REASON));
    assertEquals(SETTINGS.summaryTopic(), header(d, DeadLetter.TOPIC));
    assertEquals("-1", header(d, DeadLetter.OFFSET));
    assertEquals(Integer.toString(summary.length), header(d, DeadLetter.ORIGINAL_SIZE));
    assertEquals("value", header(d, DeadLetter.TRUNCATED));
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(summary)),
        header(d, DeadLetter.ORIGINAL_SHA256));
    assertArrayEquals(Arrays.copyOf(summary, Source.MAX_VALUE_BYTES), d.value());
    assertArrayEquals(clean.get(SETTINGS.summaryTopic()).get(0).key(), d.key());
    assertTrue(header(d, DeadLetter.ERROR).contains("exceeds"), header(d, DeadLetter.ERROR));
    assertEquals(List.of(SETTINGS.summaryTopic() + ":" + Emitter.TOO_LARGE), r.heard());
  }

  @Test
  void aRecordKafkaRefusedBeforeIsDeadLetteredWhenItComesAgain() {
    TestRecord<byte[], byte[]> third = clean.get(SETTINGS.impactTopic()).get(2);
    OutputGuard guard = OutputGuard.defaults();
    assertTrue(
        guard.refused(
            SETTINGS.impactTopic(), third.key(), third.value(), null, false,
            new InvalidRecordException("refused by the broker")));
    Run r = run(guard, d -> {});

    List<TestRecord<byte[], byte[]>> expected =
        new ArrayList<>(clean.get(SETTINGS.impactTopic()));
    expected.remove(2);
    assertSame(expected, r.topic(SETTINGS.impactTopic()));
    List<TestRecord<byte[], byte[]>> dead = r.topic(TopologySettings.dlq(SETTINGS.impactTopic()));
    assertEquals(1, dead.size());
    assertEquals(Emitter.REFUSED, header(dead.get(0), DeadLetter.REASON));
    assertArrayEquals(third.value(), dead.get(0).value(), "an impact record is kept whole");
    assertTrue(header(dead.get(0), DeadLetter.ERROR).contains("refused by the broker"));
  }

  @Test
  void aDeadLetterTooLargeForItsTopicIsWrittenWithoutItsValue() {
    byte[] bad = new byte[10_000];
    Arrays.fill(bad, (byte) '[');
    String dlq = TopologySettings.dlq(SETTINGS.metricsTopic());
    Run r =
        run(
            new OutputGuard(OutputGuard.KAFKA_DEFAULT, Map.of(dlq, 1000), Set.of()),
            d -> d.metrics.pipeInput("x".getBytes(StandardCharsets.UTF_8), bad, 0L));
    List<TestRecord<byte[], byte[]>> dead = r.topic(dlq);
    assertEquals(1, dead.size());
    assertNull(dead.get(0).value(), "headers only");
    assertEquals("malformed-json", header(dead.get(0), DeadLetter.REASON));
    assertEquals("10000", header(dead.get(0), DeadLetter.ORIGINAL_SIZE));
    assertSame(clean.get(SETTINGS.impactTopic()), r.topic(SETTINGS.impactTopic()));
  }

  @Test
  void aDeadLetterForAMissingTopicIsCountedNotWritten() {
    String dlq = TopologySettings.dlq(SETTINGS.metricsTopic());
    Run r =
        run(
            new OutputGuard(OutputGuard.KAFKA_DEFAULT, Map.of(), Set.of(dlq)),
            d -> d.metrics.pipeInput("x".getBytes(StandardCharsets.UTF_8), new byte[] {'{'}, 0L));
    assertEquals(List.of(), r.topic(dlq));
    assertEquals(List.of(SETTINGS.metricsTopic() + ":malformed-json"), r.heard());
    assertSame(clean.get(SETTINGS.impactTopic()), r.topic(SETTINGS.impactTopic()));
  }

  /**
   * Inputs routed to a monitor that was then removed from the configuration wait on the
   * repartition topic; they are dead-lettered, with their original source, not dropped.
   */
  @Test
  void anInputForAMonitorNoLongerConfiguredIsDeadLettered() {
    byte[] raw = "{\"series\":\"x\",\"timestamp\":0,\"value\":1}".getBytes(StandardCharsets.UTF_8);
    Input.Point old = new Input.Point("x", 0, 1.0, new Source("metrics", 0, 17, null, raw));
    Run r =
        run(
            OutputGuard.defaults(),
            d ->
                d.driver
                    .createInputTopic(
                        d.applicationId + "-by-monitor-repartition",
                        new StringSerializer(),
                        InputSerde.SERDE.serializer())
                    .pipeInput("removed", old, 0L));
    List<TestRecord<byte[], byte[]>> dead = r.topic(TopologySettings.dlq(SETTINGS.metricsTopic()));
    assertEquals(1, dead.size());
    assertEquals("unknown-monitor", header(dead.get(0), DeadLetter.REASON));
    assertEquals("17", header(dead.get(0), DeadLetter.OFFSET));
    assertArrayEquals(raw, dead.get(0).value());
    assertTrue(header(dead.get(0), DeadLetter.ERROR).contains("'removed'"));
    assertEquals(List.of(SETTINGS.metricsTopic() + ":unknown-monitor"), r.heard());
    assertSame(clean.get(SETTINGS.impactTopic()), r.topic(SETTINGS.impactTopic()));
  }

  /** A driver with its input topics. */
  private static final class Driver {
    final TopologyTestDriver driver;
    final String applicationId;
    final TestInputTopic<byte[], byte[]> metrics;
    final TestInputTopic<byte[], byte[]> interventions;

    Driver(TopologyTestDriver driver, String applicationId) {
      this.driver = driver;
      this.applicationId = applicationId;
      metrics =
          driver.createInputTopic(
              SETTINGS.metricsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
      interventions =
          driver.createInputTopic(
              SETTINGS.interventionsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
    }
  }

  /** What {@code poison} does to the driver, between the pre-period and the campaign. */
  @FunctionalInterface
  private interface Poison {
    void pipe(Driver d);
  }

  /** The campaign through a topology guarded by {@code guard}, poisoned before its start. */
  private Run run(OutputGuard guard, Poison poison) {
    List<String> heard = new ArrayList<>();
    StreamListener listener =
        new StreamListener() {
          @Override
          public void deadLetter(String sourceTopic, String reason, String monitor) {
            heard.add(sourceTopic + ":" + reason);
          }
        };
    String id = "guard-test-" + drivers++;
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(id).toString());
    try (TopologyTestDriver t =
        new TopologyTestDriver(
            MonitorTopology.build(List.of(monitor), SETTINGS, listener, guard), p)) {
      Driver d = new Driver(t, id);
      pipeRows(d, 0, START);
      poison.pipe(d);
      d.interventions.pipeInput(
          utf8(monitor.name()),
          utf8(
              "{\"monitor\":\"validation\",\"id\":\"campaign\",\"timestamp\":" + START * HOUR
                  + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}"),
          START * HOUR);
      pipeRows(d, START, ROWS);
      d.interventions.pipeInput(
          utf8(monitor.name()),
          utf8(
              "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":"
                  + ROWS * HOUR + "}"),
          ROWS * HOUR);
      pipeRows(d, ROWS, ROWS + 1);
      Map<String, List<TestRecord<byte[], byte[]>>> out = new java.util.HashMap<>();
      for (String topic : SETTINGS.topics()) {
        out.put(
            topic,
            t.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readRecordsToList());
      }
      return new Run(out, heard);
    }
  }

  private void pipeRows(Driver d, int from, int to) {
    for (int r = from; r < to; r++) {
      for (String series : List.of("x", "y")) {
        long time = r * HOUR + (series.equals("y") ? 1000 : 0);
        d.metrics.pipeInput(
            utf8(series),
            utf8(
                "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
                    + "\",\"value\":" + table.value(series, r) + "}"),
            time);
      }
    }
  }

  /** The same records: keys and values byte for byte, and timestamps. */
  private static void assertSame(
      List<TestRecord<byte[], byte[]>> expected, List<TestRecord<byte[], byte[]>> actual) {
    assertEquals(expected.size(), actual.size(), "records");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).key(), actual.get(i).key(), "key " + i);
      assertArrayEquals(expected.get(i).value(), actual.get(i).value(), "value " + i);
      assertEquals(expected.get(i).timestamp(), actual.get(i).timestamp(), "timestamp " + i);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
