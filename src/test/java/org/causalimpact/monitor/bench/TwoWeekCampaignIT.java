package org.causalimpact.monitor.bench;

import static org.causalimpact.monitor.bench.HarnessSupport.awaitRows;
import static org.causalimpact.monitor.bench.HarnessSupport.committedConsumer;
import static org.causalimpact.monitor.bench.HarnessSupport.point;
import static org.causalimpact.monitor.bench.HarnessSupport.producer;
import static org.causalimpact.monitor.bench.HarnessSupport.rowTime;
import static org.causalimpact.monitor.bench.HarnessSupport.start;
import static org.causalimpact.monitor.bench.HarnessSupport.usedHeapAfterGc;
import static org.causalimpact.monitor.bench.HarnessSupport.values;
import static org.causalimpact.monitor.bench.HarnessSupport.writeMonitors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.KafkaStreams;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, acceptance 1: a campaign of 20,160 one-minute steps (two weeks) run at full speed
 * through the full topology on the embedded real broker (exactly-once, as {@code run} starts it),
 * after a pre-window of one day.
 *
 * <p>Checks: every impact record exactly once (one per outcome and step, no step missing or
 * repeated); the summary present, and without a per-step series; the largest record on every
 * topic, changelogs and the repartition topic included, under 256 KiB; the heap after GC and the
 * analysis time per row, taken every 2,000 closed rows, flat ({@link Blocks#assertFlat}). Prints
 * each block's heap and time, and the largest record per topic.
 */
class TwoWeekCampaignIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Pre-window: one day of one-minute rows. */
  private static final int WINDOW = 1_440;

  /** The campaign: two weeks of one-minute steps. */
  private static final int CAMPAIGN = 20_160;

  private static final int BLOCK = 2_000;
  private static final int LIMIT = 256 * 1024;

  @TempDir Path dir;

  @Test
  void twoWeeksOfOneMinuteStepsStayBoundedAndFlat() throws Exception {
    int start = WINDOW + 2;
    int end = start + CAMPAIGN;
    // the grace (30 s) closes a row one step after it; three rows past the end close it
    int rows = end + 3;
    TopologySettings settings =
        new TopologySettings(
            "metrics", "interventions", "impact", "impact.summary", "model.health",
            Duration.ofSeconds(30), CAMPAIGN + 1_000);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(settings.topics(), 1);
      List<MonitorDefinition> defs = writeMonitors(dir.resolve("monitors"), 1, WINDOW, 1_000);
      Blocks blocks = new Blocks();
      KafkaStreams app =
          start(kafka, "two-weeks", MonitorTopology.build(defs, settings, blocks), dir, 1);
      try {
        produce(kafka.bootstrapServers(), settings, start, end, rows);
        awaitRows(
            app, blocks.rows, rows - 2, Duration.ofSeconds(120), Duration.ofMinutes(20),
            "two weeks");
        blocks.print();
        Map<String, Long> largest = new TreeMap<>();
        List<ConsumerRecord<byte[], byte[]>> impact = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> summaries = new ArrayList<>();
        awaitRecord(kafka.bootstrapServers(), settings.summaryTopic());
        for (String topic : topics(kafka.bootstrapServers())) {
          List<ConsumerRecord<byte[], byte[]>> all = readAll(kafka.bootstrapServers(), topic);
          largest.put(topic + " (" + all.size() + " records)", maxSize(all));
          if (topic.equals(settings.impactTopic())) {
            impact = all;
          } else if (topic.equals(settings.summaryTopic())) {
            summaries = all;
          }
        }
        largest.forEach((t, b) -> System.out.printf(Locale.ROOT, "largest %s: %,d bytes%n", t, b));

        assertEquals(2L * CAMPAIGN, impact.size(), "impact records: 2 outcomes x 20,160 steps");
        Map<String, Set<Integer>> steps = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : impact) {
          JsonNode v = JSON.readTree(r.value());
          assertTrue(
              steps.computeIfAbsent(v.get("node").asText(), k -> new HashSet<>())
                  .add(v.get("step").asInt()),
              "an impact record repeated: " + v.get("node") + " step " + v.get("step"));
        }
        assertEquals(Set.of("m0_c", "m0_d"), steps.keySet());
        for (Set<Integer> s : steps.values()) {
          int min = s.stream().mapToInt(Integer::intValue).min().orElseThrow();
          int max = s.stream().mapToInt(Integer::intValue).max().orElseThrow();
          assertEquals(CAMPAIGN - 1, max - min, "20,160 distinct, consecutive steps");
        }
        assertEquals(1, summaries.size(), "one summary");
        JsonNode summary = JSON.readTree(summaries.get(0).value());
        assertEquals("end", summary.get("phase").asText());
        assertEquals(CAMPAIGN - 1, summary.get("postPeriod").get("end").asInt()
            - summary.get("postPeriod").get("start").asInt());
        assertTrue(summary.get("outcomes").get(0).has("summary"), "the summary has summaries");
        assertTrue(!summary.has("series") && !summary.get("outcomes").get(0).has("series"),
            "the summary has no per-step series");
        largest.forEach(
            (t, b) -> assertTrue(b < LIMIT, "largest record of " + t + ": " + b + " bytes"));
        blocks.assertFlat();
      } finally {
        app.close(Duration.ofSeconds(30));
      }
    }
  }

  /** History, the start event, the campaign's points, the end event, and rows to close it. */
  private static void produce(
      String bootstrap, TopologySettings settings, int start, int end, int rows) {
    SplittableRandom rng = new SplittableRandom(19);
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (int r = 0; r < rows; r++) {
        if (r == start) {
          p.send(event(settings, "start", start,
              ",\"do\":{\"m0_b\":{\"shift\":5}},\"outcomes\":[\"m0_c\",\"m0_d\"]"));
        }
        if (r == end) {
          p.send(event(settings, "end", end, ""));
        }
        double[] v = values(rng, r);
        if (r >= start && r < end) {
          v[1] += 5;
          v[2] += 0.5 * 5;
          v[3] += 0.3 * 0.5 * 5;
        }
        for (int j = 0; j < 4; j++) {
          String series = "m0_" + HarnessSupport.SUFFIX[j];
          p.send(new ProducerRecord<>(settings.metricsTopic(), "m0".getBytes(StandardCharsets.UTF_8),
              point(series, rowTime(r), v[j])));
        }
      }
      p.flush();
    }
  }

  private static ProducerRecord<byte[], byte[]> event(
      TopologySettings settings, String action, int row, String rest) {
    String json =
        "{\"monitor\":\"m0\",\"id\":\"two-weeks\",\"action\":\"" + action + "\",\"timestamp\":\""
            + Instant.ofEpochMilli(rowTime(row)) + "\"" + rest + "}";
    return new ProducerRecord<>(settings.interventionsTopic(),
        "m0".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  /** Every topic on the broker, internal ones of the application included. */
  private static List<String> topics(String bootstrap) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      return admin.listTopics().names().get().stream().sorted().toList();
    }
  }

  private static void awaitRecord(String bootstrap, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (readAll(bootstrap, topic).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "no record on " + topic + " within 5 minutes");
      Thread.sleep(1_000);
    }
  }

  /** Every committed record of {@code topic}, read to its end. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = committedConsumer(bootstrap, null, "earliest")) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> c.position(p) < ends.get(p))
          && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(200));
        batch.forEach(out::add);
      }
    }
    return out;
  }

  private static long maxSize(List<ConsumerRecord<byte[], byte[]>> records) {
    long max = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      long size = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
      for (Header h : r.headers()) {
        size += h.key().length() + (h.value() == null ? 0 : h.value().length);
      }
      max = Math.max(max, size);
    }
    return max;
  }

  /**
   * Closed rows, and per block of {@value #BLOCK} closed rows, taken on the stream thread as the
   * block's last row closes (so the stream waits for it): the heap after GC, and the mean analysis
   * time per analysed row of the block.
   */
  private static final class Blocks extends HarnessSupport.Counting {
    private final List<long[]> marks = new ArrayList<>();
    private long nanos;
    private long analysed;

    @Override
    public void analysisTime(String monitor, long n) {
      nanos += n;
      analysed++;
    }

    @Override
    public void rowClosed(String monitor, long stepStartMillis) {
      super.rowClosed(monitor, stepStartMillis);
      long closed = rows.get();
      if (closed % BLOCK == 0) {
        try {
          marks.add(new long[] {closed, usedHeapAfterGc(), analysed == 0 ? -1 : nanos / analysed,
              analysed});
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        nanos = 0;
        analysed = 0;
      }
    }

    void print() {
      for (long[] m : marks) {
        System.out.printf(
            Locale.ROOT,
            "rows %,6d  heap after GC %6.1f MiB  analysis %s per row over %,d analysed rows%n",
            m[0], m[1] / 1048576.0,
            m[2] < 0 ? "-" : String.format(Locale.ROOT, "%.1f µs", m[2] / 1e3), m[3]);
      }
    }

    /**
     * The heap after GC of the last block within max(16 MiB, 10 %) of the block at 4,000 rows (the
     * campaign's first full block); the last block's analysis time per row at most twice the
     * second full block's plus 50 µs (the first warms the JIT).
     */
    void assertFlat() {
      long[] reference = marks.get(1);
      long[] last = marks.get(marks.size() - 1);
      long slack = Math.max(16L << 20, reference[1] / 10);
      assertTrue(last[1] <= reference[1] + slack,
          "heap after GC grew from " + (reference[1] >> 20) + " MiB at " + reference[0]
              + " rows to " + (last[1] >> 20) + " MiB at " + last[0]);
      List<long[]> full = marks.stream().filter(m -> m[3] == BLOCK).toList();
      assertTrue(full.size() >= 3, "fewer than 3 full blocks of analysed rows");
      long second = full.get(1)[2];
      long end = full.get(full.size() - 1)[2];
      assertTrue(end <= 2 * second + 50_000,
          "analysis time per row grew from " + second / 1e3 + " µs to " + end / 1e3 + " µs");
    }
  }
}
