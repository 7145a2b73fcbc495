package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code demo} command end to end, in-process: a real embedded broker, the topology with
 * exactly-once processing, the simulator, and the summary read back with read_committed. With the
 * demo monitor's seed the data are fixed, so the coverage asserted here is a fixed outcome, not a
 * coin toss at the 95% level (R-free: the truth is the simulator's own injected effect).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoIT {
  /** {@code  node  estimated average effect X [bootstrap lo, hi] (conformal [lo, hi]) — injected truth Y: verdict}. */
  private static final Pattern ESTIMATE =
      Pattern.compile(
          "^\\s+(\\S+)\\s+estimated average effect (\\S+) \\[bootstrap (\\S+), (\\S+)\\]"
              + " \\(conformal (?:\\[(\\S+), (\\S+)\\]|n/a)\\) — injected truth (\\S+): (.+)$",
          Pattern.MULTILINE);

  record Estimate(String node, double mean, double lo, double hi, double truth, String verdict) {}

  private static List<Estimate> estimates(String out) {
    List<Estimate> list = new ArrayList<>();
    Matcher m = ESTIMATE.matcher(out);
    while (m.find()) {
      list.add(
          new Estimate(
              m.group(1),
              Double.parseDouble(m.group(2)),
              Double.parseDouble(m.group(3)),
              Double.parseDouble(m.group(4)),
              Double.parseDouble(m.group(7)),
              m.group(8)));
    }
    return list;
  }

  @Test
  void wholeSimulationEstimatesCoverTheInjectedTruth(@TempDir Path dir) {
    Path data = dir.resolve("demo-data");
    long t0 = System.nanoTime();
    CliRun run =
        CliRun.of("demo", "--speed", "400", "--campaign-speed", "400", "--exit-after-result",
            "--seed", "7", "--data-dir", data.toString());
    System.err.printf("demo --speed 400 ran in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("broker: Kafka (KRaft) at 127.0.0.1:"), run.out());
    assertTrue(run.out().contains("post-period: rows 480..599"), run.out());
    assertBothCovered(run);
    assertTrue(Files.isDirectory(data.resolve("kafka")), "--data-dir is kept");
    assertTrue(
        run.out().contains("kafka logs: the broker's, Kafka Streams' and the clients' WARN lines"
            + " go to " + data.toAbsolutePath().resolve("kafka.log")),
        run.out());
    assertTrue(Files.isRegularFile(data.resolve("kafka.log")), "Kafka's log file is kept");
    assertTrue(run.out().contains("progress, every second: rows sent of all; model.health records"),
        run.out());
    assertFalse(run.out().contains("the live page stays up"), run.out());
    // nothing but the demo's own lines on the console: no library's WARN (Micrometer's about a
    // late MeterFilter was one)
    for (String line : (run.out() + "\n" + run.err()).split("\n")) {
      assertFalse(line.matches("^(\\S+ )?(WARN|ERROR)\\b.*"), line);
    }
  }

  /**
   * Issue 19: a simulation of 3,000 rows (a campaign of 2,520 one-minute steps, whose summary used
   * to pass Kafka's 1 MiB limit and stop the application) ends with exit 0 and the truth covered.
   */
  @Test
  void aThreeThousandRowSimulationEndsCleanlyWithTheTruthCovered(@TempDir Path dir)
      throws Exception {
    Path monitor = dir.resolve("demo.yaml");
    String yaml = Files.readString(Path.of("config/monitors/demo.yaml"));
    assertTrue(yaml.contains("\n  rows: 600\n"), "the demo monitor simulates 600 rows");
    Files.writeString(monitor, yaml.replace("\n  rows: 600\n", "\n  rows: 3000\n"));
    CliRun run = CliRun.of("demo", "--monitor", monitor.toString(), "--speed", "0", "--campaign-speed", "0",
            "--exit-after-result");
    assertEquals(0, run.code(), run.toString());
    assertTrue(run.out().contains("over rows 480..2999 (2520 steps)"), run.out());
    assertBothCovered(run);
  }

  /** Both outcomes printed, each estimate's interval covering the injected truth. */
  private static void assertBothCovered(CliRun run) {
    List<Estimate> estimates = estimates(run.out());
    assertEquals(
        List.of("visits", "signups"), estimates.stream().map(Estimate::node).toList(), run.out());
    for (Estimate e : estimates) {
      // the verdict is computed at full precision; the printed numbers (3 significant digits)
      // must agree with it up to their rounding
      assertTrue(e.verdict().startsWith("covered"), e + "\n" + run.out());
      double slack = 0.01 * Math.max(Math.abs(e.lo()), Math.abs(e.hi()));
      assertTrue(
          e.lo() - slack <= e.truth() && e.truth() <= e.hi() + slack, e + "\n" + run.out());
      assertTrue(e.lo() <= e.mean() && e.mean() <= e.hi(), e.toString());
    }
  }

  @Test
  void durationEndsTheCampaignEarlyAndTheEstimateIsOfTheRowsSent(@TempDir Path dir) {
    // at 100 steps per second the campaign starts after 4.8 s; 5.5 s of wall time leave ~70 rows
    CliRun run = CliRun.of("demo", "--speed", "100", "--campaign-speed", "100", "--duration", "5500ms",
            "--exit-after-result");
    assertEquals(0, run.code(), run.toString());
    Matcher post = Pattern.compile("post-period: rows 480\\.\\.(\\d+)\\)").matcher(run.out());
    assertTrue(post.find(), run.out());
    int last = Integer.parseInt(post.group(1));
    assertTrue(last > 480 && last < 599, "campaign ended early, at row " + last + "\n" + run);
    List<Estimate> estimates = estimates(run.out());
    assertEquals(2, estimates.size(), run.out());
    for (Estimate e : estimates) {
      assertTrue(e.verdict().startsWith("covered"), e + "\n" + run.out());
    }
  }

  @Test
  void tooShortADurationIsBadInputAndStartsNothing() {
    CliRun run = CliRun.of("demo", "--duration", "2s");
    assertEquals(Main.BAD_INPUT, run.code(), run.toString());
    assertTrue(run.err().contains("--duration 2 s is too short"), run.err());
    assertFalse(run.out().contains("broker:"), run.out());
  }

  /** {@code simulate --to-kafka} is the demo's simulator as its own process. */
  @Test
  void simulateToKafkaSendsWhatTheDemoSimulatorSends(@TempDir Path dir) throws Exception {
    TopologySettings settings = TopologySettings.defaults();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(settings.topics(), 1);
      CliRun run =
          CliRun.of(
              "simulate",
              "--monitor", "config/monitors/demo.yaml",
              "--intervention", "config/interventions/demo-campaign.json",
              "--rows", "500",
              "--to-kafka", kafka.bootstrapServers());
      assertEquals(0, run.code(), run.toString());
      // 500 rows + 3 past the end (grace 30 s, step 1 min), 5 nodes
      assertTrue(run.out().contains("sent 503 rows (2515 points"), run.out());
      assertTrue(run.err().contains("true average effect of demo-campaign on signups"), run.err());

      List<ConsumerRecord<String, String>> events =
          read(kafka, new TopicPartition(settings.interventionsTopic(), 0), 2);
      assertEquals(2, events.size());
      ObjectMapper json = new ObjectMapper();
      JsonNode start = json.readTree(events.get(0).value());
      JsonNode end = json.readTree(events.get(1).value());
      assertEquals("demo", events.get(0).key());
      assertEquals("start", start.get("action").asText());
      assertEquals(50.0, start.get("do").get("ad_spend").get("shift").asDouble());
      assertEquals("end", end.get("action").asText());
      assertEquals("2026-01-01T08:20:00Z", end.get("timestamp").asText());
      assertEquals(
          java.time.Instant.parse("2026-01-01T08:20:00Z").toEpochMilli(),
          events.get(1).timestamp());

      List<ConsumerRecord<String, String>> points =
          read(kafka, new TopicPartition(settings.metricsTopic(), 0), 2515);
      assertEquals(2515, points.size());
      ConsumerRecord<String, String> first = points.get(0);
      JsonNode p = json.readTree(first.value());
      assertEquals(first.key(), p.get("series").asText());
      assertEquals("2026-01-01T00:00:00Z", p.get("timestamp").asText());
      assertTrue(p.get("value").isNumber());
    }
  }

  private static List<ConsumerRecord<String, String>> read(
      EmbeddedKafka kafka, TopicPartition tp, int n) {
    List<ConsumerRecord<String, String>> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.size() < n && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
      }
    }
    return seen;
  }
}
