package org.causalimpact.monitor.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.app.StreamsRunner;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out and takeover on 4-partition input topics: two instances of one application (A: {@code
 * java -jar ... run} in its own JVM; B: in this JVM, so that its task assignment can be read)
 * split the partitions of the input and repartition topics, and so the {@value #MONITORS}
 * monitors; A is killed with SIGKILL in the middle of the campaigns and B takes its monitors over
 * (restoring their stores from the changelogs). The union of their outputs (read_committed) holds
 * every impact record once, equal to the batch analysis, and equals a single-instance run of the
 * same input (same keys, same values to 1e-9); the accounting invariant holds.
 */
class TwoInstancesIT {
  private static final int PARTITIONS = 4;
  private static final int MONITORS = 4;
  private static final String APPLICATION_ID = "cim-pair";

  /**
   * A is killed once every monitor has this many impact records committed (of 10 it can make),
   * just after four more rows of each were acknowledged: while it processes them.
   */
  private static final int KILL_AT = 5;

  @TempDir Path dir;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void theSurvivorTakesOverAndTheUnionEqualsOneInstance() throws Exception {
    TopologySettings settings = Fleet.SETTINGS;
    try (Stage stage = Stage.open(dir, MONITORS, PARTITIONS)) {
      Fleet fleet = stage.fleet();
      String bootstrap = stage.bootstrap();
      Map<String, Audit.Stored> stored;
      MonitorJvm a =
          MonitorJvm.start(
              MonitorJvm.settings(dir, "a", bootstrap, APPLICATION_ID, dir.resolve("state-a")),
              fleet.dir(), dir, "a");
      try (StreamsRunner b =
          StreamsRunner.start(
              MonitorTopology.build(fleet.definitions(), settings),
              MonitorJvm.sameSession(AppSettings.embedded(bootstrap, dir.resolve("state-b")))
                  .with(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID)
                  .streams())) {
        a.awaitRunning(Fleet.WAIT);
        Set<Integer> ofB = awaitSplit(b, settings, Fleet.WAIT);
        TreeSet<String> monitorsOfA =
            fleet.members().stream()
                .map(Fleet.Member::name)
                .filter(n -> !ofB.contains(Fleet.repartition(n, PARTITIONS)))
                .collect(Collectors.toCollection(TreeSet::new));
        System.err.printf(
            "[TwoInstancesIT] split: B owns partitions %s of the repartition topic, A the others"
                + " (monitors %s)%n", ofB, monitorsOfA);

        stage.beforeTheFault(410);
        long killedAt;
        try (Committed impact = new Committed(bootstrap, settings.impactTopic())) {
          try {
            impact.until(l -> perMonitor(l).size() == MONITORS
                && perMonitor(l).values().stream().allMatch(n -> n >= KILL_AT), Fleet.WAIT);
            stage.rows(411, 414);
            stage.feed().flush();
            a.kill();
          } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\ninstance A:\n" + a, e);
          } finally {
            a.destroy();
          }
          killedAt = System.nanoTime();
          Map<String, Integer> atKill = perMonitor(impact.toEnd(Fleet.WAIT));
          System.err.printf("[TwoInstancesIT] A killed -9 at impact records %s%n", atKill);

          stage.theEnd(415);
          String first = monitorsOfA.first();
          impact.until(l -> perMonitor(l).getOrDefault(first, 0) > atKill.get(first), Fleet.WAIT);
          double resumed = (System.nanoTime() - killedAt) / 1e9;
          impact.atLeast(Audit.impactRecords(fleet), Fleet.WAIT);
          try (Committed summary = new Committed(bootstrap, settings.summaryTopic())) {
            summary.atLeast(MONITORS, Fleet.WAIT);
          }
          assertEquals(
              Set.of(0, 1, 2, 3), repartitionOf(b),
              "after the takeover B owns every partition of the repartition topic");
          System.err.printf(
              "[TwoInstancesIT] B committed the next impact record of A's monitor %s %.1f s after"
                  + " the kill%n", first, resumed);
        }
        stored = Audit.stores(b, fleet, Fleet.WAIT);
      }
      System.err.printf("[TwoInstancesIT] %s%n", stage.audit("TwoInstancesIT", stored));

      double single = sameAsOneInstance(stage.kafka(), fleet, settings);
      System.err.printf(
          "[TwoInstancesIT] single-instance run of the same input in %.1f s, equal; %.1f s in all%n",
          single, stage.seconds());
    }
  }

  /**
   * Runs one instance of another application on the same input, writing to its own output topics,
   * and compares its impact records and summaries with those of the pair.
   *
   * @return the seconds the single instance took
   */
  private double sameAsOneInstance(EmbeddedKafka kafka, Fleet fleet, TopologySettings pair)
      throws Exception {
    long start = System.nanoTime();
    TopologySettings one =
        new TopologySettings(
            pair.metricsTopic(), pair.interventionsTopic(), "single.impact", "single.summary",
            "single.health", pair.grace(), pair.maxPostRows(), pair.healthRefitEvery(),
            pair.persistenceRows(), pair.keyedByMonitor());
    kafka.createTopics(List.of(one.impactTopic(), one.summaryTopic(), one.healthTopic()), PARTITIONS);
    String bootstrap = kafka.bootstrapServers();
    try (StreamsRunner single =
        StreamsRunner.start(
            MonitorTopology.build(fleet.definitions(), one),
            AppSettings.embedded(bootstrap, dir.resolve("state-single"))
                .with(StreamsConfig.APPLICATION_ID_CONFIG, "cim-single")
                .streams());
        Committed impact = new Committed(bootstrap, one.impactTopic());
        Committed summary = new Committed(bootstrap, one.summaryTopic())) {
      assertTrue(single.awaitRunning(Fleet.WAIT), "single instance not running: " + single.failure());
      impact.atLeast(Audit.impactRecords(fleet), Fleet.WAIT);
      summary.atLeast(MONITORS, Fleet.WAIT);
      assertEqualOutputs(
          "impact", Committed.all(bootstrap, pair.impactTopic()), impact.toEnd(Fleet.WAIT));
      assertEqualOutputs(
          "summary", Committed.all(bootstrap, pair.summaryTopic()), summary.toEnd(Fleet.WAIT));
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** Same record keys (and steps), each once, with the same values to {@value Audit#TOLERANCE}. */
  static void assertEqualOutputs(
      String what, List<ConsumerRecord<String, String>> pair,
      List<ConsumerRecord<String, String>> single) {
    Map<String, JsonNode> p = byKeyAndStep(what + " of the pair", pair);
    Map<String, JsonNode> s = byKeyAndStep(what + " of the single instance", single);
    assertEquals(s.keySet(), p.keySet(), what + ": keys of the pair and of the single instance");
    s.forEach((key, value) -> assertNear(value, p.get(key), what + " " + key));
  }

  private static Map<String, JsonNode> byKeyAndStep(
      String what, List<ConsumerRecord<String, String>> records) {
    Map<String, JsonNode> out = new TreeMap<>();
    for (ConsumerRecord<String, String> r : records) {
      JsonNode v = Audit.json(r.value());
      String key = r.key() + (v.has("step") ? "#" + v.get("step").asInt() : "");
      assertTrue(out.put(key, v) == null, what + ": " + key + " committed twice");
    }
    return out;
  }

  /** Equal JSON trees, numbers to {@value Audit#TOLERANCE}. */
  private static void assertNear(JsonNode expected, JsonNode actual, String at) {
    if (expected.isNumber() && actual.isNumber()) {
      assertEquals(expected.asDouble(), actual.asDouble(), Audit.TOLERANCE, at);
      return;
    }
    assertEquals(expected.getNodeType(), actual.getNodeType(), at);
    assertEquals(expected.size(), actual.size(), at + ": size");
    if (expected.isObject()) {
      for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        assertTrue(actual.has(name), at + ": no field " + name);
        assertNear(expected.get(name), actual.get(name), at + "." + name);
      }
    } else if (expected.isArray()) {
      for (int i = 0; i < expected.size(); i++) {
        assertNear(expected.get(i), actual.get(i), at + "[" + i + "]");
      }
    } else {
      assertEquals(expected, actual, at);
    }
  }

  /**
   * Waits until B owns some but not all partitions of both the metrics topic and the repartition
   * topic (so A owns the others), and returns B's partitions of the repartition topic.
   */
  private static Set<Integer> awaitSplit(
      StreamsRunner b, TopologySettings settings, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Set<Integer> metrics = partitionsOf(b, settings.metricsTopic());
      Set<Integer> repartition = repartitionOf(b);
      if (b.isRunning() && split(metrics) && split(repartition)) {
        System.err.printf("[TwoInstancesIT] B owns metrics partitions %s%n", metrics);
        return repartition;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the two instances did not split the partitions within " + timeout + ": B owns "
                + metrics + " of metrics, " + repartition + " of the repartition topic");
      }
      Thread.sleep(100);
    }
  }

  private static boolean split(Set<Integer> partitions) {
    return !partitions.isEmpty() && partitions.size() < PARTITIONS;
  }

  private static Set<Integer> repartitionOf(StreamsRunner b) {
    return partitionsOf(b, APPLICATION_ID + "-by-monitor-repartition");
  }

  /** The partitions of {@code topic} that B's active tasks read. */
  private static Set<Integer> partitionsOf(StreamsRunner b, String topic) {
    Set<Integer> out = new TreeSet<>();
    for (ThreadMetadata thread : b.kafkaStreams().metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        for (TopicPartition tp : task.topicPartitions()) {
          if (tp.topic().equals(topic)) {
            out.add(tp.partition());
          }
        }
      }
    }
    return out;
  }

  /** Impact records read so far, per monitor. */
  private static Map<String, Integer> perMonitor(List<ConsumerRecord<String, String>> impact) {
    Map<String, Integer> out = new TreeMap<>();
    for (ConsumerRecord<String, String> r : impact) {
      out.merge(r.key().substring(0, r.key().indexOf('/')), 1, Integer::sum);
    }
    return out;
  }
}
