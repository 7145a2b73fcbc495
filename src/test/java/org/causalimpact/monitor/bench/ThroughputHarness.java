package org.causalimpact.monitor.bench;

import static org.causalimpact.monitor.bench.HarnessSupport.STEP_MS;
import static org.causalimpact.monitor.bench.HarnessSupport.SUFFIX;
import static org.causalimpact.monitor.bench.HarnessSupport.T0;
import static org.causalimpact.monitor.bench.HarnessSupport.committedConsumer;
import static org.causalimpact.monitor.bench.HarnessSupport.count;
import static org.causalimpact.monitor.bench.HarnessSupport.point;
import static org.causalimpact.monitor.bench.HarnessSupport.producer;
import static org.causalimpact.monitor.bench.HarnessSupport.prop;
import static org.causalimpact.monitor.bench.HarnessSupport.quantile;
import static org.causalimpact.monitor.bench.HarnessSupport.start;
import static org.causalimpact.monitor.bench.HarnessSupport.usedHeapAfterGc;
import static org.causalimpact.monitor.bench.HarnessSupport.values;
import static org.causalimpact.monitor.bench.HarnessSupport.writeMonitors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.causalimpact.monitor.app.AppSettings;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * Throughput and latency of the streaming monitor on the embedded real broker (issue 5), next to
 * a bare Kafka Streams pipeline on the same broker and the same input, in one run:
 *
 * <ol>
 *   <li>writes {@code N} monitor definitions (4 nodes {@code a -> b -> c -> d}, 1-minute step,
 *       pre-window {@code window} rows) and {@code rows} rows of points for each ({@code
 *       pointsPerCell} points per node and row, in event-time order) to the {@code metrics} topic
 *       before any application starts;
 *   <li><b>passthrough</b>: a topology that parses each point's JSON and writes it back out, with
 *       exactly-once; sustained rate = input points / time from RUNNING until its committed offsets
 *       reach the end of the input;
 *   <li><b>monitor</b>: the full topology ({@link MonitorTopology}, the defaults of {@code run}:
 *       exactly-once, 30 s grace) on the same input, measured the same way; ratio = monitor /
 *       passthrough;
 *   <li><b>latency</b>: with the monitor topology still running, one monitor gets an intervention
 *       and then one row every {@code 1/latencyRate} s (paced, wall clock); for each row the time
 *       from sending the point that closes it to reading its impact record (read_committed), p50
 *       and p99 over {@code latencyRows} rows;
 *   <li><b>heap</b>: used heap after a full GC with the monitor topology loaded, minus the same
 *       before it started, divided by {@code N} (stores are RocksDB, off-heap; this is the JVM
 *       heap only).
 * </ol>
 *
 * System properties (all optional): {@code cim.monitors} (N, default 100), {@code cim.rows} (rows
 * per monitor, default 600), {@code cim.window} (pre-window rows, default 1440), {@code
 * cim.partitions} (of the input topics, default 2), {@code cim.threads} (stream threads, default
 * 2), {@code cim.pointsPerCell} (points per node and row, spread over the step, each node's mean
 * unchanged; 1, the default, closes a row every 4 points, the most per-row work per point; 6 is a
 * metric reported every 10 s on a one-minute grid), {@code cim.latencyRows} (default 60), {@code cim.latencyRate} (rows/s, default 5), {@code
 * cim.replicates} (bootstrap replicates, default 1000), {@code cim.keyBySeries} (1: key the
 * points by series instead of by monitor; default 0), {@code cim.keyedByMonitor} (1: run the
 * monitor with {@value AppSettings#KEYED_BY_MONITOR}{@code =true}, no repartition topic;
 * default 0, the setting's default), {@code cim.rounds} (passthrough-then-monitor rounds on the
 * same input, each with a fresh application id; the first also warms the JIT, so the result is
 * the median over the later rounds of each rate and of the per-round ratio, with every round's
 * ratio listed; an odd number of later rounds gives a true median; default 4), {@code
 * cim.commitMs} (default 100), and {@code cim.streams.<setting>} for any other Kafka Streams
 * setting. Prints one line per measurement,
 * each rate with the JVM's CPU time per point over the same window (broker, application and
 * harness share the JVM; CPU per point is the steadier number on a machine that runs other work);
 * run by {@code src/test/bench/run-throughput.sh}.
 */
public final class ThroughputHarness {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ThroughputHarness() {}

  public static void main(String[] args) throws Exception {
    int monitors = prop("monitors", 100);
    int rows = prop("rows", 600);
    int perCell = Math.max(1, prop("pointsPerCell", 1));
    int window = prop("window", 1440);
    int partitions = prop("partitions", 2);
    int threads = prop("threads", 2);
    int latencyRows = prop("latencyRows", 60);
    int latencyRate = prop("latencyRate", 5);
    int replicates = prop("replicates", 1000);
    System.out.printf(
        Locale.ROOT,
        "setup: %d monitors x 4 nodes, %d rows each, %d points per node and row (%d points),"
            + " pre-window %d, %d partitions,"
            + " %d stream threads, %d cores, max heap %d MiB%n",
        monitors, rows, perCell, 4L * monitors * rows * perCell, window, partitions, threads,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

    Path dir = Files.createTempDirectory("cim-throughput");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      TopologySettings settings =
          TopologySettings.defaults().withKeyedByMonitor(prop("keyedByMonitor", 0) == 1);
      List<String> topics = new ArrayList<>(settings.topics());
      topics.add("passthrough.out");
      kafka.createTopics(topics, partitions);
      List<MonitorDefinition> defs = writeMonitors(dir.resolve("monitors"), monitors, window,
          replicates);
      boolean bySeries = prop("keyBySeries", 0) == 1;
      if (bySeries && settings.keyedByMonitor()) {
        throw new IllegalArgumentException(
            "cim.keyBySeries=1 and cim.keyedByMonitor=1 contradict each other");
      }
      long points =
          produce(
              kafka.bootstrapServers(), settings.metricsTopic(), monitors, rows, perCell,
              bySeries);

      // a row closes once stream time passes its end + grace: the newest point (row rows - 1)
      // closes rows up to rows - 2 - grace steps
      long graceSteps = settings.grace().toMillis() / STEP_MS + 1;
      long expectedRows = (long) monitors * (rows - 1 - graceSteps);
      int rounds = Math.max(1, prop("rounds", 4));
      List<String> ratios = new ArrayList<>();
      // per warm round: monitor rate, passthrough rate, ratio
      List<double[]> warm = new ArrayList<>();
      for (int round = 1; round <= rounds; round++) {
        // the first round also warms the JIT (it runs first in a cold JVM), so the result is
        // the median of the later rounds, with every round's ratio listed
        double passthrough =
            measure(
                kafka, "passthrough-" + round, passthrough(settings.metricsTopic()), dir,
                threads, settings.metricsTopic(), points);
        long heapBefore = usedHeapAfterGc();
        HarnessSupport.Counting counter = new HarnessSupport.Counting();
        Topology full = MonitorTopology.build(defs, settings, counter);
        // progress of the monitor: its closed rows (its input offsets say only that the
        // routing is done)
        try (KafkaStreams app = start(kafka, "monitor-" + round, full, dir, threads, false)) {
          double monitor =
              steadyRate("monitor-" + round, app, expectedRows, points, counter.rows::get);
          ratios.add(String.format(Locale.ROOT, "%.2f", monitor / passthrough));
          if (round > 1 || rounds == 1) {
            warm.add(new double[] {monitor, passthrough, monitor / passthrough});
          }
          if (round < rounds) {
            continue;
          }
          long heapAfter = usedHeapAfterGc();
          System.out.printf(
              Locale.ROOT,
              "RESULT throughput: monitor %.0f points/s, passthrough %.0f points/s, ratio %.2f"
                  + " (each the median of %s; ratios by round %s; points keyed by %s; %s=%s;"
                  + " dead letters %s)%n",
              median(warm, 0), median(warm, 1), median(warm, 2),
              rounds == 1 ? "round 1 alone" : "rounds 2-" + rounds, ratios,
              bySeries ? "series" : "monitor", AppSettings.KEYED_BY_MONITOR,
              settings.keyedByMonitor(), counter.deadLetters);
          System.out.printf(
              Locale.ROOT,
              "RESULT heap: %.1f MiB used after GC with %d monitors loaded (%.1f KiB per"
                  + " monitor)%n",
              (heapAfter - heapBefore) / 1048576.0, monitors,
              (heapAfter - heapBefore) / 1024.0 / monitors);
          latency(kafka.bootstrapServers(), settings, rows, latencyRows, latencyRate);
        }
      }
    } finally {
      EmbeddedKafka.deleteRecursively(dir);
    }
  }

  /**
   * The median of column {@code column} over the rounds (the lower of the two middle values for
   * an even count): taken separately for each column, so the median ratio need not be the ratio
   * of the median rates.
   */
  private static double median(List<double[]> rounds, int column) {
    double[] v = rounds.stream().mapToDouble(r -> r[column]).sorted().toArray();
    return quantile(v, 0.5);
  }

  /**
   * Writes the input, each point keyed by its monitor (so a monitor's series share a partition
   * and a backlog reaches it in event-time order), or by its series with {@code bySeries}: then
   * the routing tasks of different partitions race ahead of each other on a backlog and points
   * that fall more than the grace behind are dead-lettered as late (docs/input-contract.md).
   */
  private static long produce(
      String bootstrap, String topic, int monitors, int rows, int perCell, boolean bySeries)
      throws Exception {
    long t = System.nanoTime();
    long n = 0;
    SplittableRandom rng = new SplittableRandom(42);
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      double[][] v = new double[monitors][];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < perCell; c++) {
          // the cell's points spread over the step, all with the cell's value
          long time = T0.toEpochMilli() + r * STEP_MS + c * (STEP_MS / perCell);
          for (int i = 0; i < monitors; i++) {
            if (c == 0) {
              v[i] = values(rng, r);
            }
            for (int k = 0; k < 4; k++) {
              String series = "m" + i + "_" + SUFFIX[k];
              String key = bySeries ? series : "m" + i;
              p.send(
                  new ProducerRecord<>(
                      topic, null, time + k, key.getBytes(StandardCharsets.UTF_8),
                      point(series, time + k, v[i][k])));
              n++;
            }
          }
        }
      }
      p.flush();
    }
    System.out.printf(
        Locale.ROOT, "input: %d points written in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
    return n;
  }

  /** Parse + forward: the least a JSON pipeline with exactly-once does per point. */
  private static Topology passthrough(String input) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .mapValues(
            v -> {
              try {
                JsonNode n = JSON.readTree(v);
                return JSON.writeValueAsBytes(n);
              } catch (java.io.IOException e) {
                return v;
              }
            })
        .to("passthrough.out", Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    return b.build();
  }

  private static double measure(
      EmbeddedKafka kafka, String id, Topology t, Path dir, int threads, String input, long points)
      throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (var d : admin.describeTopics(List.of(input)).allTopicNames().get().values()) {
        d.partitions().forEach(pi -> ends.put(new TopicPartition(input, pi.partition()),
            OffsetSpec.latest()));
      }
      long end =
          admin.listOffsets(ends).all().get().values().stream()
              .mapToLong(o -> o.offset())
              .sum();
      try (KafkaStreams app = start(kafka, id, t, dir, threads, false)) {
        return steadyRate(
            id, app, end, points,
            () -> {
              try {
                return admin.listConsumerGroupOffsets("bench-" + id)
                    .partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(input) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
      }
    }
  }

  /**
   * The sustained rate while the application's progress (committed input offsets, or closed
   * rows) goes from 10% to 90% of {@code end}, in input points per second, leaving out the
   * start-up (group join, task assignment, a cold JIT) and the tail; then waits for the end.
   */
  private static double steadyRate(
      String id, KafkaStreams app, long end, long points, java.util.function.LongSupplier progress)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    long from = -1;
    long to = -1;
    long cpuFrom = 0;
    long cpuTo = 0;
    long done = 0;
    while (done < end) {
      if (System.nanoTime() > deadline || app.state() == KafkaStreams.State.ERROR) {
        throw new IllegalStateException(id + " stalled at " + done + "/" + end);
      }
      Thread.sleep(10);
      done = progress.getAsLong();
      long now = System.nanoTime();
      if (from < 0 && done >= end / 10) {
        from = now;
        cpuFrom = processCpuNanos();
      }
      if (to < 0 && done >= end - end / 10) {
        to = now;
        cpuTo = processCpuNanos();
      }
    }
    double seconds = (to - from) / 1e9;
    double rate = 0.8 * points / seconds;
    double cpu = (cpuTo - cpuFrom) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%s: 80%% of %d points (10%% to 90%% of %d) in %.2f s = %.0f points/s; process CPU"
            + " %.2f cores, %.2f us per point%n",
        id, points, end, seconds, rate, cpu / seconds, cpu * 1e6 / (0.8 * points));
    return rate;
  }

  /**
   * CPU time of this JVM (application, broker and harness alike), or 0 where the JVM does not
   * report it: CPU per point is steadier than points/s on a machine that also runs other work.
   */
  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  /**
   * Starts an intervention on monitor m0 at row {@code rows}, then sends one row at a time, paced,
   * and times row close (the send of the next row's first point, grace 0 is not used: the default
   * grace of 30 s is passed by sending points 31 s of event time ahead) to its impact record.
   */
  private static void latency(
      String bootstrap, TopologySettings settings, int rows, int n, int ratePerSecond)
      throws Exception {
    long startRow = rows + 1;
    long startTime = T0.toEpochMilli() + startRow * STEP_MS;
    Map<Long, Long> sentAt = new ConcurrentHashMap<>();
    List<Double> millis = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(7);
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap);
        KafkaConsumer<byte[], byte[]> consumer =
            committedConsumer(bootstrap, "bench-latency", "latest")) {
      consumer.subscribe(List.of(settings.impactTopic()));
      while (consumer.assignment().isEmpty()) {
        consumer.poll(Duration.ofMillis(100));
      }
      String event =
          "{\"monitor\":\"m0\",\"id\":\"bench\",\"timestamp\":" + startTime
              + ",\"do\":{\"m0_b\":{\"shift\":5.0}},\"outcomes\":[\"m0_d\"]}";
      p.send(
          new ProducerRecord<>(
              settings.interventionsTopic(), "m0".getBytes(StandardCharsets.UTF_8),
              event.getBytes(StandardCharsets.UTF_8)));
      long graceSteps = settings.grace().toMillis() / STEP_MS + 1;
      long paceNanos = 1_000_000_000L / ratePerSecond;
      long next = System.nanoTime();
      for (long r = rows; r < startRow + n + graceSteps + 1; r++) {
        long time = T0.toEpochMilli() + r * STEP_MS;
        double[] v = values(rng, (int) r);
        // a row closes when stream time passes its end + grace: the first point of row r closes
        // row r - 1 - graceSteps
        long closes = r - 1 - graceSteps;
        if (closes >= startRow) {
          sentAt.put(closes, System.nanoTime());
        }
        for (int k = 0; k < 4; k++) {
          String series = "m0_" + SUFFIX[k];
          String key = settings.keyedByMonitor() ? "m0" : series;
          p.send(
              new ProducerRecord<>(
                  settings.metricsTopic(), null, time + k, key.getBytes(StandardCharsets.UTF_8),
                  point(series, time + k, v[k])));
        }
        p.flush();
        drain(consumer, sentAt, millis);
        next += paceNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (millis.size() < n && System.nanoTime() < deadline) {
        drain(consumer, sentAt, millis);
      }
    }
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      System.out.println(
          "RESULT latency: no impact record arrived; records in impact: "
              + count(bootstrap, settings.impactTopic()) + ", in "
              + TopologySettings.dlq(settings.interventionsTopic()) + ": "
              + count(bootstrap, TopologySettings.dlq(settings.interventionsTopic())));
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "RESULT latency row close -> impact record (read_committed, %d rows at %d rows/s):"
            + " p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        sorted.length, ratePerSecond, quantile(sorted, 0.5), quantile(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  private static void drain(
      KafkaConsumer<byte[], byte[]> consumer, Map<Long, Long> sentAt, List<Double> millis)
      throws Exception {
    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(10))) {
      long received = System.nanoTime();
      JsonNode n = JSON.readTree(rec.value());
      long row =
          (Instant.parse(n.get("timestamp").asText()).toEpochMilli() - T0.toEpochMilli())
              / STEP_MS;
      Long sent = sentAt.remove(row);
      if (sent != null) {
        millis.add((received - sent) / 1e6);
      }
    }
  }
}
