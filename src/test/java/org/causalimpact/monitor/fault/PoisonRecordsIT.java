package org.causalimpact.monitor.fault;

import static org.causalimpact.monitor.testing.Scrapes.sample;
import static org.causalimpact.monitor.testing.Scrapes.total;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.MonitorApp;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.ingest.Source;
import org.causalimpact.monitor.live.OutputGuard;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.StoreNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, item 2 (poison records, then a crash loop), on the embedded real broker with the
 * application as {@code run} starts it ({@link MonitorApp}: exactly-once, the production exception
 * handler, the record limits read from the cluster). Two copies of the validation monitor share the
 * topics: {@code A} gets the poison, {@code B} is a bystander whose committed output must be byte
 * for byte that of a clean run. Each scenario has topics and an application of its own and runs in
 * two phases: the first ends with B's campaign (rows 400-420) and A's at row 430; the application
 * is then stopped and started again on the same state, and the second phase ends A's campaign
 * (rows 400-440). The poison:
 *
 * <ol>
 *   <li>a malformed point of 1,048,400 bytes (which the broker accepts; its dead letter used to be
 *       1,049,011 bytes, over the limit);
 *   <li>A's start event padded with white space to 800 KB (the repartition topic used to hold it
 *       in base64, 1,067,120 bytes);
 *   <li>four more valid starts of A of 200 KB each (A's stored state used to pass 1 MiB);
 *   <li>outputs over the broker's limit: the impact topic's {@code max.message.bytes} is lowered
 *       while the application runs to between the sizes of B's and A's impact records (A's name is
 *       long), so the broker refuses A's; after the restart the limit is read at the start.
 * </ol>
 *
 * For each: the application keeps running, B's output is complete and identical to the clean run,
 * each bad record is dead-lettered with a reason, and the restarted application does not fail.
 * The largest record of every topic (inputs, outputs, changelogs, repartition) is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonRecordsIT {
  private static final int START = 400;
  private static final int B_END = 420;
  private static final int PHASE = 430;
  private static final int A_END = 440;
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final Duration WAIT = Duration.ofSeconds(150);
  private static final Path VALIDATION = Path.of("config/monitors/validation.yaml");

  /** The most bytes of a record the application writes, on any topic: 256 KiB (issue 19). */
  private static final int MAX_WRITTEN = 256 * 1024;

  @TempDir static Path dir;
  private EmbeddedKafka kafka;
  private Monitor a;
  private Monitor b;
  private Outputs clean;

  /** A monitor and its simulated rows (seeded). */
  private record Monitor(MonitorDefinition def, TimeSeriesTable table, String x, String y) {
    String name() {
      return def.name();
    }

    boolean owns(ConsumerRecord<byte[], byte[]> r) {
      return r.key() != null && utf8(r.key()).startsWith(name() + "/");
    }
  }

  /** What a scenario left on its topics. */
  private record Outputs(
      TopologySettings topics,
      Map<String, List<ConsumerRecord<byte[], byte[]>>> committed,
      String scrapeBefore,
      String scrapeAfter) {
    List<ConsumerRecord<byte[], byte[]>> of(String topic, Monitor m) {
      return committed.get(topic).stream().filter(m::owns).toList();
    }

    List<ConsumerRecord<byte[], byte[]>> dlq(String topic) {
      return committed.get(TopologySettings.dlq(topic));
    }
  }

  /** The poison of a scenario: sent at A's start, and what happens to the application meanwhile. */
  private interface Poison {
    /** Sends the poison; returns whether A's ordinary start is still to be sent. */
    boolean send(Scenario s) throws Exception;

    /** Called once the pre-period and the starts are acknowledged, before the campaign's rows. */
    default void beforeTheCampaign(Scenario s) throws Exception {}

    /** Called at row {@value #A_END}, before A's campaign ends. */
    default void atTheEnd(Scenario s) {}
  }

  @BeforeAll
  void start() throws Exception {
    kafka = EmbeddedKafka.start(dir.resolve("kafka"));
    // a long name makes A's impact records about 300 bytes larger than B's (scenario d)
    a = monitor("poisoned-" + "a".repeat(150), "ax", "ay", 5);
    b = monitor("bystander", "bx", "by", 6);
    clean = new Scenario("clean", Map.of()).run(s -> true);
    assertEquals(B_END - START, clean.of(clean.topics().impactTopic(), b).size());
    assertEquals(A_END - START, clean.of(clean.topics().impactTopic(), a).size());
    assertEquals(1, clean.of(clean.topics().summaryTopic(), a).size());
    assertEquals(1, clean.of(clean.topics().summaryTopic(), b).size());
  }

  @AfterAll
  void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aMalformedPointOfOneMebibyteIsDeadLetteredSmall() throws Exception {
    byte[] point = utf8("{\"series\":\"" + a.x() + "\",\"timestamp\":");
    byte[] huge = Arrays.copyOf(point, 1_048_400);
    Arrays.fill(huge, point.length, huge.length, (byte) '7');
    Outputs out =
        new Scenario("malformed", Map.of())
            .run(s -> {
              s.send(s.topics.metricsTopic(), a.x(), huge, START * HOUR);
              return true;
            });
    assertBystanderAsClean(out);
    List<ConsumerRecord<byte[], byte[]>> dead = out.dlq(out.topics().metricsTopic());
    assertEquals(1, dead.size());
    assertDeadLetter(dead.get(0), "malformed-json", huge);
    assertTrue(
        sample(out.scrapeBefore(), "cim_dead_letters_total{reason=\"malformed-json\",topic=\""
            + out.topics().metricsTopic() + "\"}") >= 1,
        "counted");
    assertAsClean(out, a);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aValidStartPaddedTo800KbIsUsedAndCarriedSmall() throws Exception {
    Outputs out =
        new Scenario("padded", Map.of())
            .run(s -> {
              s.send(s.topics.interventionsTopic(), a.name(), padded(start(a, "campaign"), 800_000),
                  START * HOUR);
              return false;
            });
    assertBystanderAsClean(out);
    assertAsClean(out, a);
    assertEquals(List.of(), out.dlq(out.topics().interventionsTopic()), "nothing dead-lettered");
  }

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void fourValidStartsOf200KbEachAreUsedOrRefusedWithAReason() throws Exception {
    Outputs out =
        new Scenario("many", Map.of())
            .run(new Poison() {
              @Override
              public boolean send(Scenario s) {
                for (int i = 1; i <= 4; i++) {
                  s.send(s.topics.interventionsTopic(), a.name(),
                      padded(start(a, "big-" + i), 200_000), START * HOUR);
                }
                return true;
              }

              @Override
              public void atTheEnd(Scenario s) {
                for (int i = 1; i <= 4; i++) {
                  s.send(s.topics.interventionsTopic(), a.name(), end("big-" + i, A_END),
                      A_END * HOUR);
                }
              }
            });
    assertBystanderAsClean(out);
    List<String> reported =
        out.of(out.topics().summaryTopic(), a).stream().map(r -> utf8(r.key())).toList();
    List<String> refused = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : out.dlq(out.topics().interventionsTopic())) {
      assertTrue(r.value().length <= Source.MAX_VALUE_BYTES, "a bounded dead letter");
      refused.add(header(r, DeadLetter.REASON));
    }
    assertEquals(
        5, reported.size() + refused.size(), "each start summarized or refused: " + reported
            + " " + refused);
    assertTrue(reported.contains(a.name() + "/campaign"), "A's campaign: " + reported);
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void outputsOverTheBrokersLimitAreDeadLetteredAndTheStreamGoesOn() throws Exception {
    String impact = clean.topics().impactTopic();
    int largestB = clean.of(impact, b).stream().mapToInt(PoisonRecordsIT::size).max().getAsInt();
    int smallestA = clean.of(impact, a).stream().mapToInt(PoisonRecordsIT::size).min().getAsInt();
    assertTrue(smallestA > largestB + 200, "A's records " + smallestA + ", B's " + largestB);
    int limit = (largestB + smallestA) / 2;
    // a broker that takes less than a batch makes the producer split batches forever
    // (KAFKA-8350); the start lowers batch.size to the topic's limit, a change while it runs not
    Outputs out =
        new Scenario("limit", Map.of("producer.batch.size", Integer.toString(limit)))
            .run(new Poison() {
              @Override
              public boolean send(Scenario s) {
                return true;
              }

              @Override
              public void beforeTheCampaign(Scenario s) throws Exception {
                s.topicLimit(s.topics.impactTopic(), limit);
              }
            });
    assertBystanderAsClean(out);
    assertEquals(List.of(), out.of(out.topics().impactTopic(), a), "A's impact is not written");
    List<ConsumerRecord<byte[], byte[]>> dead = out.dlq(out.topics().impactTopic());
    assertEquals(A_END - START, dead.size(), "each of A's impact records dead-lettered once");
    List<ConsumerRecord<byte[], byte[]>> expected = clean.of(clean.topics().impactTopic(), a);
    for (int i = 0; i < dead.size(); i++) {
      assertEquals("too-large", header(dead.get(i), DeadLetter.REASON));
      assertArrayEquals(expected.get(i).key(), dead.get(i).key());
      assertDeadLetter(dead.get(i), "too-large", expected.get(i).value());
    }
    assertTrue(
        sample(out.scrapeBefore(), "cim_send_errors_total{reason=\"too-large\",topic=\"limit.impact\"}")
            >= 1,
        "the broker's refusal is counted before the restart");
    assertEquals(0.0, total(out.scrapeAfter(), "cim_send_errors_total"), "and none after it");
    assertEquals(1, out.of(out.topics().summaryTopic(), a).size(), "A's summary still comes");
  }

  /** B's committed outputs are those of the clean run, byte for byte. */
  private void assertBystanderAsClean(Outputs out) {
    assertAsClean(out, b);
  }

  private void assertAsClean(Outputs out, Monitor m) {
    TopologySettings c = clean.topics();
    TopologySettings o = out.topics();
    assertSame(clean.of(c.impactTopic(), m), out.of(o.impactTopic(), m), "impact of " + m.name());
    assertSame(clean.of(c.summaryTopic(), m), out.of(o.summaryTopic(), m), "summary");
    assertSame(clean.of(c.healthTopic(), m), out.of(o.healthTopic(), m), "model health");
  }

  private static void assertSame(
      List<ConsumerRecord<byte[], byte[]>> expected,
      List<ConsumerRecord<byte[], byte[]>> actual,
      String what) {
    assertEquals(expected.size(), actual.size(), () -> what + ": records; rows "
        + rows(expected) + " and " + rows(actual));
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).key(), actual.get(i).key(), what + ": key " + i);
      assertArrayEquals(expected.get(i).value(), actual.get(i).value(), what + ": value " + i);
    }
  }

  /** Records per row, for a failure message. */
  private static String rows(List<ConsumerRecord<byte[], byte[]>> l) {
    Map<Long, Integer> m = new TreeMap<>();
    l.forEach(r -> m.merge(r.timestamp() / HOUR, 1, Integer::sum));
    return m.toString();
  }

  /** A bounded dead letter of {@code original}: its first bytes, its size and its digest. */
  private static void assertDeadLetter(
      ConsumerRecord<byte[], byte[]> d, String reason, byte[] original) throws Exception {
    assertEquals(reason, header(d, DeadLetter.REASON));
    assertEquals(Integer.toString(original.length), header(d, DeadLetter.ORIGINAL_SIZE));
    int kept = Math.min(original.length, Source.MAX_VALUE_BYTES);
    assertArrayEquals(Arrays.copyOf(original, kept), d.value());
    if (original.length > kept) {
      assertEquals(
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)),
          header(d, DeadLetter.ORIGINAL_SHA256));
    }
    assertTrue(size(d) < 8 * 1024, "a small dead letter: " + size(d) + " bytes");
  }

  /** A scenario's topics ({@code <name>.metrics}, ...) and application ({@code poison-<name>}). */
  private final class Scenario {
    final String name;
    final TopologySettings topics;
    final AppSettings settings;
    final KafkaProducer<byte[], byte[]> producer;

    Scenario(String name, Map<String, String> kafkaSettings) {
      this.name = name;
      AppSettings app =
          AppSettings.embedded(kafka.bootstrapServers(), dir.resolve("state-" + name))
              .with("application.id", "poison-" + name)
              .with(AppSettings.TOPIC_METRICS, name + ".metrics")
              .with(AppSettings.TOPIC_INTERVENTIONS, name + ".interventions")
              .with(AppSettings.TOPIC_IMPACT, name + ".impact")
              .with(AppSettings.TOPIC_SUMMARY, name + ".summary")
              .with(AppSettings.TOPIC_HEALTH, name + ".health")
              .with(AppSettings.GRACE, "0s")
              // a replaced stream thread gets its task once the old one's session expired
              .with("consumer.session.timeout.ms", "10000");
      for (var e : kafkaSettings.entrySet()) {
        app = app.with(e.getKey(), e.getValue());
      }
      this.settings = app;
      this.topics = settings.topology();
      kafka.createTopics(topics.topics(), 1);
      this.producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG, "all",
                  ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20),
              new ByteArraySerializer(),
              new ByteArraySerializer());
    }

    Outputs run(Poison poison) throws Exception {
      String before;
      try (MonitorApp app = MonitorApp.start(settings, List.of(a.def(), b.def()))) {
        // Points and events are on two topics, read in no fixed order: each event is sent once
        // what it must follow was processed, and awaited before what must follow it, so that the
        // outputs do not depend on timing.
        rows(0, START);
        producer.flush();
        await(topics.healthTopic(), l -> l.stream().anyMatch(r -> b.owns(r)
            && r.timestamp() == (START - 2) * HOUR));
        boolean ordinaryStart = poison.send(this);
        if (ordinaryStart) {
          send(topics.interventionsTopic(), a.name(), utf8(start(a, "campaign")), START * HOUR);
        }
        send(topics.interventionsTopic(), b.name(), utf8(start(b, "campaign")), START * HOUR);
        producer.flush();
        awaitStarted(a, "campaign");
        awaitStarted(b, "campaign");
        poison.beforeTheCampaign(this);
        rows(START, B_END);
        send(topics.interventionsTopic(), b.name(), end("campaign", B_END), B_END * HOUR);
        rows(B_END, B_END + 1);
        producer.flush();
        await(topics.summaryTopic(), l -> l.stream().anyMatch(b::owns));
        rows(B_END + 1, PHASE);
        producer.flush();
        assertRunning(app);
        before = app.scrape();
      }
      try (MonitorApp app = MonitorApp.start(settings, List.of(a.def(), b.def()))) {
        rows(PHASE, A_END);
        poison.atTheEnd(this);
        send(topics.interventionsTopic(), a.name(), end("campaign", A_END), A_END * HOUR);
        point(b, b.x(), A_END);
        point(a, a.x(), A_END);
        producer.flush();
        await(topics.summaryTopic(), l -> l.stream().anyMatch(a::owns));
        assertRunning(app);
        Outputs out = new Outputs(topics, committed(), before, app.scrape());
        producer.close();
        printLargestRecords();
        return out;
      }
    }

    private void assertRunning(MonitorApp app) {
      assertFalse(app.streams().hasStopped(), "stopped: " + app.streams().failure());
    }

    void rows(int from, int to) {
      for (int r = from; r < to; r++) {
        for (Monitor m : List.of(a, b)) {
          point(m, m.x(), r);
          point(m, m.y(), r);
        }
      }
    }

    void point(Monitor m, String series, int row) {
      long time = row * HOUR + (series.equals(m.y()) ? 1000 : 0);
      double v = row < m.table().rows() ? m.table().value(series, row) : 20.0;
      send(
          topics.metricsTopic(), series,
          ("{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
              + "\",\"value\":" + v + "}").getBytes(StandardCharsets.UTF_8),
          time);
    }

    void send(String topic, String key, byte[] value, long time) {
      producer.send(
          new ProducerRecord<>(topic, null, time, key.getBytes(StandardCharsets.UTF_8), value));
    }

    void topicLimit(String topic, int maxMessageBytes) throws Exception {
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp op =
            new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(
                    maxMessageBytes)),
                AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(r, List.of(op))).all().get(30, TimeUnit.SECONDS);
      }
    }

    private TopicReader<byte[], byte[]> reader(String topic, boolean committedOnly) {
      return TopicReader.bytes(kafka.bootstrapServers(), topic, committedOnly);
    }

    /** Waits until {@code m}'s stored state holds intervention {@code id}. */
    private void awaitStarted(Monitor m, String id) {
      await(
          "poison-" + name + "-" + StoreNames.STATE_STORE + "-changelog",
          l -> l.stream().anyMatch(r -> r.key() != null && utf8(r.key()).equals(m.name())
              && r.value() != null && utf8(r.value()).contains("\"" + id + "\"")));
    }

    private void await(String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
      try (TopicReader<byte[], byte[]> r = reader(topic, true)) {
        r.until(done, WAIT);
      }
    }

    private Map<String, List<ConsumerRecord<byte[], byte[]>>> committed() {
      Map<String, List<ConsumerRecord<byte[], byte[]>>> m = new TreeMap<>();
      for (String t : topics.topics()) {
        try (TopicReader<byte[], byte[]> r = reader(t, true)) {
          m.put(t, r.toEnd(WAIT));
        }
      }
      return m;
    }

    /**
     * Prints the largest record (key, value and headers, aborted ones too) of every topic of this
     * scenario, and checks that none the application wrote exceeds {@value #MAX_WRITTEN} bytes.
     */
    private void printLargestRecords() {
      StringBuilder table = new StringBuilder("largest records, scenario " + name + ":\n");
      for (String t : TopicReader.topics(kafka.bootstrapServers())) {
        if (t.startsWith(name + ".") || t.startsWith("poison-" + name + "-")) {
          try (TopicReader<byte[], byte[]> r = reader(t, false)) {
            List<ConsumerRecord<byte[], byte[]>> all = r.toEnd(WAIT);
            int max = all.stream().mapToInt(PoisonRecordsIT::size).max().orElse(0);
            table.append(String.format("  %-60s %8d records, largest %,10d bytes%n", t, all.size(),
                max));
            if (!t.equals(topics.metricsTopic()) && !t.equals(topics.interventionsTopic())) {
              assertTrue(max <= MAX_WRITTEN, t + " holds a record of " + max + " bytes");
            }
          }
        }
      }
      System.out.print(table);
    }
  }

  private static String start(Monitor m, String id) {
    return "{\"monitor\":\"" + m.name() + "\",\"id\":\"" + id + "\",\"timestamp\":" + START * HOUR
        + ",\"do\":{\"" + m.x() + "\":{\"shift\":5.0}},\"outcomes\":[\"" + m.y() + "\"]}";
  }

  private static byte[] end(String id, int row) {
    return ("{\"id\":\"" + id + "\",\"action\":\"end\",\"timestamp\":" + row * HOUR + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** {@code json} with white space before its closing brace, {@code size} bytes in all. */
  private static byte[] padded(String json, int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) ' ');
    byte[] j = json.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(j, 0, b, 0, j.length - 1);
    b[size - 1] = '}';
    return b;
  }

  /** The validation monitor renamed, nodes renamed, with data for {@value #A_END} rows and more. */
  private static Monitor monitor(String name, String x, String y, long seed) throws Exception {
    String yaml =
        Files.readString(VALIDATION, StandardCharsets.UTF_8)
            .replaceFirst("(?m)^name: validation$", "name: " + name)
            .replaceFirst("(?m)^  rows: 420$", "  rows: " + (A_END + 10))
            .replaceAll("\\bx\\b", x)
            .replaceAll("\\by\\b", y);
    Path file = dir.resolve(name.substring(0, Math.min(20, name.length())) + ".yaml");
    Files.writeString(file, yaml);
    MonitorDefinition d = MonitorLoader.load(file);
    assertEquals(name, d.name(), "the copy of " + VALIDATION + " is renamed");
    assertEquals(List.of(x, y), d.graph().nodeNames());
    Intervention campaign =
        new Intervention("campaign", Map.of(x, new DoSpec.Shift(5.0)), List.of(y), START, -1);
    TimeSeriesTable t = DataSimulator.simulate(d.graph(), d.simulation(), campaign, seed).table();
    assertTrue(t.rows() > A_END, "rows simulated: " + t.rows());
    return new Monitor(d, t, x, y);
  }

  /** A record's size as Kafka counts it against its limits. */
  private static int size(ConsumerRecord<byte[], byte[]> r) {
    return OutputGuard.size(r.key(), r.value(), r.headers());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : utf8(h.value());
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
