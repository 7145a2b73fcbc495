package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Random;
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
import org.causalimpact.monitor.state.InterventionIndex;
import org.causalimpact.monitor.state.StateSerdes;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.state.TrackedIntervention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, acceptance 3: 10,000 interventions started and ended on one monitor, with the largest
 * ids, keys and event values a start can leave in the state, through {@link TopologyTestDriver}.
 * Every value written to the two intervention stores' changelogs stays within the bounds
 * docs/reliability.md ("Bounded state") gives, and so does what the stores hold at the end.
 */
class InterventionStateBoundTest {
  private static final long MINUTE = 60_000;
  private static final int INTERVENTIONS = 10_000;

  /** The index with the default caps and 128-character ids (docs/reliability.md). */
  private static final int INDEX_BOUND = 18 * 1024;

  /**
   * A running record: 8 KiB (start event cut to 4 KiB of value and 1 KiB of key, base64 in the
   * JSON; a 128-character id; the numbers) plus, per node of this monitor's graph (x, y), twice its
   * name and 45 bytes for its do-spec and outcome.
   */
  private static final int RECORD_BOUND = 8 * 1024 + 2 * (2 * 1 + 45);

  private static final MonitorDefinition MONITOR =
      MonitorLoader.parse(
          "name: bound\nstep: 1m\npreWindow: 20\nmodel: {level: none}\n"
              + "intervals:\n  bootstrap: {replicates: 19}\n"
              + "nodes:\n  - name: x\n  - name: y\n    parents: [x]\n",
          "bound.yaml");

  @TempDir Path stateDir;
  private final Random random = new Random(19);
  private TestInputTopic<byte[], byte[]> metrics;
  private TestInputTopic<byte[], byte[]> events;

  /** The largest of each changelog's values seen so far. */
  private int largestIndex;
  private int largestRecord;

  @Test
  void tenThousandInterventionsStartedAndEndedLeaveTheStateWithinItsBounds() {
    TopologySettings settings = TopologySettings.defaults().withGrace(Duration.ZERO);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bound");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    long began = System.nanoTime();
    try (TopologyTestDriver d =
        new TopologyTestDriver(MonitorTopology.build(List.of(MONITOR), settings), p)) {
      ByteArraySerializer bytes = new ByteArraySerializer();
      metrics = d.createInputTopic(settings.metricsTopic(), bytes, bytes);
      events = d.createInputTopic(settings.interventionsTopic(), bytes, bytes);
      List<TestOutputTopic<byte[], byte[]>> drained =
          List.of(
              output(d, settings.impactTopic()),
              output(d, settings.summaryTopic()),
              output(d, settings.healthTopic()));
      TestOutputTopic<byte[], byte[]> dlq =
          output(d, TopologySettings.dlq(settings.interventionsTopic()));
      TestOutputTopic<byte[], byte[]> index =
          output(d, "bound-" + StoreNames.STATE_STORE + "-changelog");
      TestOutputTopic<byte[], byte[]> records =
          output(d, "bound-" + StoreNames.INTERVENTIONS_STORE + "-changelog");
      long first = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() / MINUTE;
      long s = first;
      for (; s < first + 30; s++) {
        row(s);
      }
      s--; // rows through s - 1 are closed; row s is open
      int maxRunning = settings.interventions().maxRunning();
      int started = 0;
      int summaries = 0;
      while (started < INTERVENTIONS) {
        for (int i = 0; i < maxRunning; i++) {
          start(started + i, s);
        }
        start(INTERVENTIONS + started, s); // one over the cap
        for (int i = 0; i < maxRunning; i++) {
          end(started + i, s + 1);
        }
        started += maxRunning;
        row(++s); // closes row s - 1: each reports one row, is summarised and ends
        List<String> reasons =
            dlq.readRecordsToList().stream()
                .map(r -> new String(r.headers().lastHeader(DeadLetter.REASON).value(),
                    StandardCharsets.UTF_8))
                .toList();
        assertEquals(List.of("too-many-running"), reasons, "after " + started);
        summaries += drained.get(1).getQueueSize();
        drained.forEach(TestOutputTopic::readRecordsToList);
        largestIndex = Math.max(largestIndex, largest(index));
        largestRecord = Math.max(largestRecord, largest(records));
      }
      assertEquals(INTERVENTIONS, summaries, "every intervention ran, ended and was summarised");

      KeyValueStore<String, InterventionIndex> indexes =
          d.getKeyValueStore(StoreNames.STATE_STORE);
      InterventionIndex kept = indexes.get("bound");
      assertEquals(List.of(), kept.running);
      assertEquals(settings.interventions().keepEnded(), kept.ended.size());
      int stored = 0;
      long storedBytes = size(StateSerdes.INTERVENTIONS.serializer().serialize("t", kept));
      KeyValueStore<String, TrackedIntervention> all =
          d.getKeyValueStore(StoreNames.INTERVENTIONS_STORE);
      try (KeyValueIterator<String, TrackedIntervention> it = all.all()) {
        while (it.hasNext()) {
          KeyValue<String, TrackedIntervention> kv = it.next();
          assertTrue(kept.ended.containsKey(kv.value.id), "only kept interventions are stored");
          storedBytes += size(StateSerdes.INTERVENTION.serializer().serialize("t", kv.value));
          stored++;
        }
      }
      assertEquals(kept.ended.size(), stored);
      System.err.printf(
          "InterventionStateBoundTest: %d interventions in %.1f s; largest index value %d B"
              + " (bound %d), largest intervention record %d B (bound %d); at the end %d"
              + " records, %d B in all%n",
          INTERVENTIONS, (System.nanoTime() - began) / 1e9, largestIndex, INDEX_BOUND,
          largestRecord, RECORD_BOUND, stored + 1, storedBytes);
      assertTrue(largestIndex <= INDEX_BOUND, "largest index value " + largestIndex);
      assertTrue(largestRecord <= RECORD_BOUND, "largest intervention record " + largestRecord);
    }
  }

  private static TestOutputTopic<byte[], byte[]> output(TopologyTestDriver d, String topic) {
    return d.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** The largest value among the records written to {@code topic} since the last call. */
  private static int largest(TestOutputTopic<byte[], byte[]> topic) {
    int max = 0;
    for (TestRecord<byte[], byte[]> r : topic.readRecordsToList()) {
      max = Math.max(max, size(r.value()));
    }
    return max;
  }

  private static int size(byte[] value) {
    return value == null ? 0 : value.length;
  }

  /** The points of row {@code s}; they close row {@code s - 1} (grace 0). */
  private void row(long s) {
    double x = 20 + random.nextGaussian();
    double y = 5 + 1.5 * x + random.nextGaussian();
    point("x", s * MINUTE, x);
    point("y", s * MINUTE + 1000, y);
  }

  private void point(String series, long time, double value) {
    metrics.pipeInput(
        series.getBytes(StandardCharsets.UTF_8),
        ("{\"series\":\"" + series + "\",\"timestamp\":" + time + ",\"value\":" + value + "}")
            .getBytes(StandardCharsets.UTF_8),
        time);
  }

  /** The longest id the id rule allows: 128 characters. */
  private static String id(int n) {
    return String.format(java.util.Locale.ROOT, "iv-%0125d", n);
  }

  /**
   * A start with a 1 KiB key and its value padded to 4 KiB: as much of the event as a stored
   * intervention keeps of it (issue 19, item 2), so its record is as large as one can be.
   */
  private void start(int n, long step) {
    String json =
        "{\"monitor\":\"bound\",\"id\":\"" + id(n) + "\",\"timestamp\":" + step * MINUTE
            + ",\"do\":{\"x\":{\"shift\":-1.2345678901234567E99}},\"outcomes\":[\"y\"]}";
    byte[] value = Arrays.copyOf(json.getBytes(StandardCharsets.UTF_8), 4096);
    Arrays.fill(value, json.length(), value.length, (byte) ' ');
    byte[] key = new byte[1024];
    Arrays.fill(key, (byte) 'k');
    events.pipeInput(key, value, step * MINUTE);
  }

  private void end(int n, long step) {
    events.pipeInput(
        "bound".getBytes(StandardCharsets.UTF_8),
        ("{\"monitor\":\"bound\",\"id\":\"" + id(n) + "\",\"action\":\"end\",\"timestamp\":"
                + step * MINUTE + "}")
            .getBytes(StandardCharsets.UTF_8),
        step * MINUTE);
  }
}
