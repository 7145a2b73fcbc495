package org.causalimpact.monitor.bench;

import static org.causalimpact.monitor.bench.HarnessSupport.STEP_MS;
import static org.causalimpact.monitor.bench.HarnessSupport.SUFFIX;
import static org.causalimpact.monitor.bench.HarnessSupport.T0;
import static org.causalimpact.monitor.bench.HarnessSupport.awaitRows;
import static org.causalimpact.monitor.bench.HarnessSupport.committedConsumer;
import static org.causalimpact.monitor.bench.HarnessSupport.count;
import static org.causalimpact.monitor.bench.HarnessSupport.point;
import static org.causalimpact.monitor.bench.HarnessSupport.producer;
import static org.causalimpact.monitor.bench.HarnessSupport.prop;
import static org.causalimpact.monitor.bench.HarnessSupport.quantile;
import static org.causalimpact.monitor.bench.HarnessSupport.rowTime;
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
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.demo.EmbeddedKafka;
import org.causalimpact.monitor.live.MonitorTopology;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * Soak run of the streaming monitor on the embedded real broker (issue 6): the full topology
 * ({@link MonitorTopology}, exactly-once, the defaults of {@code run} except {@code
 * monitor.persistence.rows}, so that after-end phases happen) under paced, valid load for a fixed
 * wall-clock time, checking that it settles instead of degrading.
 *
 * <ol>
 *   <li>writes {@code monitors} definitions (4 nodes {@code a -> b -> c -> d}, 1-minute step,
 *       pre-window {@code window}), starts the topology, writes {@code window + 2} rows of history
 *       for each monitor and waits until they closed;
 *   <li>then, for {@code minutes} of wall clock, sends one row (4 points) for every monitor every
 *       {@code 1/rowsPerSecond} s, in event-time order, so rows close continuously; monitor {@code
 *       i} starts an intervention ({@code b} shifted, outcomes {@code c}, {@code d}) every {@code
 *       cycleRows} rows, staggered by {@code i * cycleRows / monitors}, ends it after {@code
 *       activeRows} rows and reports {@code persistenceRows} rows after the end;
 *   <li>every minute prints used heap after forced full GCs, the latency from sending the point
 *       that closes a reported row to reading its first impact record (read_committed) as p50 and
 *       p99 of that minute, and the counts so far;
 *   <li>at the end waits up to 60 s for the outstanding impact records, reads the dead-letter
 *       topics, and checks: heap does not grow (last minute within max(16 MiB, 10 %) of minute 2,
 *       or of minute 1 in runs shorter than 3 minutes); no dead letter; last-minute p99 at most
 *       twice the first minute's plus 200 ms; impact records, summaries and closed rows exactly
 *       as many as the schedule implies, and no awaited impact record missing.
 * </ol>
 *
 * <p>System properties (all optional): {@code cim.minutes} (default 10), {@code cim.monitors}
 * (20), {@code cim.rowsPerSecond} (event-time rows per wall-clock second per monitor, 2), {@code
 * cim.window} (pre-window rows, 240), {@code cim.replicates} (bootstrap replicates, 200), {@code
 * cim.cycleRows} (60), {@code cim.activeRows} (20), {@code cim.persistenceRows} (5), {@code
 * cim.partitions} (2), {@code cim.threads} (stream threads, 2), {@code cim.hashSeries} (0: the
 * points of monitor {@code i} are written to partition {@code i % partitions}; 1: the producer's
 * default partitioner spreads a monitor's series over the partitions). Exit status 0 when every
 * check passes, 1 otherwise. Run by {@code src/test/bench/run-soak.sh}; see {@code docs/soak.md}.
 */
public final class SoakHarness {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

  /** Heap may end this much above its reference and still count as not growing. */
  static final long HEAP_TOLERANCE_BYTES = 16L << 20;

  /** ... or this fraction of the reference, whichever is larger. */
  static final double HEAP_TOLERANCE_FRACTION = 0.10;

  /** Last-minute p99 may be at most this multiple of the first minute's, plus the slack. */
  static final double P99_FACTOR = 2;

  static final double P99_SLACK_MS = 200;

  /** An awaited impact record that has not come after this long is counted as missing. */
  private static final long MISSING_AFTER_NANOS = Duration.ofSeconds(120).toNanos();

  private SoakHarness() {}

  /**
   * When monitor {@code i} runs its interventions: intervention {@code k} starts at row {@code
   * firstRow + i * cycle / monitors + k * cycle}, ends {@code active} rows later (the end event's
   * time is the start of the first row after it), and is reported through {@code persistence}
   * more rows.
   */
  record Schedule(int monitors, long firstRow, int cycle, int active, int persistence) {
    Schedule {
      if (active < 1 || persistence < 0 || active + persistence >= cycle) {
        throw new IllegalArgumentException(
            "need activeRows >= 1, persistenceRows >= 0 and activeRows + persistenceRows <"
                + " cycleRows, got " + active + ", " + persistence + ", " + cycle);
      }
    }

    long start(int i, long k) {
      return firstRow + (long) i * cycle / monitors + k * cycle;
    }

    /** The intervention whose cycle row {@code r} lies in, or -1 before the first. */
    long cycleOf(int i, long r) {
      long d = r - start(i, 0);
      return d < 0 ? -1 : d / cycle;
    }

    boolean starts(int i, long r) {
      long k = cycleOf(i, r);
      return k >= 0 && r == start(i, k);
    }

    boolean ends(int i, long r) {
      long k = cycleOf(i, r);
      return k >= 0 && r == start(i, k) + active;
    }

    /** Whether row {@code r} of monitor {@code i} gets impact records (active or after-end). */
    boolean reported(int i, long r) {
      long k = cycleOf(i, r);
      return k >= 0 && r - start(i, k) < active + persistence;
    }

    /** Reported rows of monitor {@code i} among rows {@code <= lastClosed}. */
    long reportedRows(int i, long lastClosed) {
      long n = 0;
      for (long r = start(i, 0); r <= lastClosed; r++) {
        n += reported(i, r) ? 1 : 0;
      }
      return n;
    }

    /** Summaries of monitor {@code i} due once rows {@code <= lastClosed} closed. */
    long summaries(int i, long lastClosed) {
      long n = 0;
      for (long k = 0; start(i, k) <= lastClosed; k++) {
        long end = start(i, k) + active;
        n += end - 1 <= lastClosed ? 1 : 0;
        n += persistence > 0 && end + persistence - 1 <= lastClosed ? 1 : 0;
      }
      return n;
    }
  }

  /** What the harness read back and measured. */
  private static final class Tally {
    final Map<String, Long> sentAt = new HashMap<>();
    final List<Double> minuteLatencies = new ArrayList<>();
    long impact;
    long afterEnd;
    long summaries;
    long persistenceSummaries;
    long missing;
    long points;
  }

  public static void main(String[] args) throws Exception {
    int minutes = prop("minutes", 10);
    int monitors = prop("monitors", 20);
    int rowsPerSecond = prop("rowsPerSecond", 2);
    int window = prop("window", 240);
    int replicates = prop("replicates", 200);
    int partitions = prop("partitions", 2);
    int threads = prop("threads", 2);
    // 0: all points of monitor i go to partition i % partitions; 1: the default partitioner
    // spreads them by series name over partitions (see docs/soak.md for what that does)
    int pointPartitions = prop("hashSeries", 0) == 1 ? 0 : partitions;
    int history = window + 2;
    Schedule schedule =
        new Schedule(
            monitors, history, prop("cycleRows", 60), prop("activeRows", 20),
            prop("persistenceRows", 5));
    TopologySettings settings =
        TopologySettings.defaults().withPersistenceRows(schedule.persistence());
    System.out.printf(
        Locale.ROOT,
        "setup: %d min, %d monitors x 4 nodes, %d rows/s each (%d points/s), pre-window %d,"
            + " %d bootstrap replicates; an intervention every %d rows (%d active + %d after"
            + " the end); %d partitions, %d stream threads, %d cores, max heap %d MiB%n",
        minutes, monitors, rowsPerSecond, 4 * monitors * rowsPerSecond, window, replicates,
        schedule.cycle(), schedule.active(), schedule.persistence(), partitions, threads,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

    Path dir = Files.createTempDirectory("cim-soak");
    boolean passed;
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      kafka.createTopics(settings.topics(), partitions);
      List<MonitorDefinition> defs =
          writeMonitors(dir.resolve("monitors"), monitors, window, replicates);
      HarnessSupport.Counting listener = new HarnessSupport.Counting();
      AtomicLong closed = listener.rows;
      Map<String, AtomicLong> deadLetters = listener.deadLetters;
      String bootstrap = kafka.bootstrapServers();
      try (KafkaStreams app =
              start(kafka, "soak", MonitorTopology.build(defs, settings, listener), dir, threads);
          KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
          KafkaConsumer<byte[], byte[]> outputs = outputs(bootstrap, settings)) {
        Tally tally = new Tally();
        SplittableRandom rng = new SplittableRandom(42);
        for (long r = 0; r < history; r++) {
          sendRow(producer, settings, schedule, tally, rng, r, pointPartitions);
        }
        producer.flush();
        awaitRows(app, closed, (long) monitors * (history - 2), Duration.ofSeconds(120),
            Duration.ofMinutes(20), "history");
        System.out.printf(
            Locale.ROOT, "history: %d rows of each monitor written and closed; dead letters %s%n",
            history, deadLetters);
        passed =
            soak(app, producer, outputs, settings, schedule, tally, rng, minutes, rowsPerSecond,
                pointPartitions, closed, deadLetters, bootstrap);
        app.close(Duration.ofSeconds(30));
      }
    } finally {
      EmbeddedKafka.deleteRecursively(dir);
    }
    System.out.println(passed ? "SOAK PASSED" : "SOAK FAILED");
    System.exit(passed ? 0 : 1);
  }

  /** The paced phase, the minute lines, the final checks; true when every check passes. */
  private static boolean soak(
      KafkaStreams app,
      KafkaProducer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> outputs,
      TopologySettings settings,
      Schedule schedule,
      Tally tally,
      SplittableRandom rng,
      int minutes,
      int rowsPerSecond,
      int pointPartitions,
      AtomicLong closed,
      Map<String, AtomicLong> deadLetters,
      String bootstrap)
      throws Exception {
    List<Double> heapMiB = new ArrayList<>();
    List<double[]> latency = new ArrayList<>();
    long pace = 1_000_000_000L / rowsPerSecond;
    long began = System.nanoTime();
    long end = began + minutes * MINUTE_NANOS;
    long minuteEnd = began + MINUTE_NANOS;
    long next = began;
    long r = schedule.firstRow();
    tally.minuteLatencies.clear();
    while (System.nanoTime() < end) {
      sendRow(producer, settings, schedule, tally, rng, r++, pointPartitions);
      producer.flush();
      next += pace;
      do {
        long left = (next - System.nanoTime()) / 1_000_000;
        drain(outputs, settings, tally, Math.max(1, Math.min(50, left)));
      } while (System.nanoTime() < next);
      if (app.state() == KafkaStreams.State.ERROR
          || app.state() == KafkaStreams.State.NOT_RUNNING) {
        System.out.println("FAIL: Kafka Streams stopped: " + app.state());
        return false;
      }
      if (System.nanoTime() >= minuteEnd) {
        pruneMissing(tally);
        heapMiB.add(usedHeapAfterGc() / 1048576.0);
        latency.add(percentiles(tally.minuteLatencies));
        tally.minuteLatencies.clear();
        double[] l = latency.get(latency.size() - 1);
        System.out.printf(
            Locale.ROOT,
            "minute %d/%d: heap after GC %.1f MiB | latency p50 %.0f ms, p99 %.0f ms (%d rows)"
                + " | %d points sent, %d rows closed, %d impact records (%d after-end),"
                + " %d summaries, dead letters by reason %s, %d awaited records missing"
                + " | streams %s%n",
            heapMiB.size(), minutes, heapMiB.get(heapMiB.size() - 1), l[0], l[1], (long) l[2],
            tally.points, closed.get(), tally.impact, tally.afterEnd, tally.summaries,
            deadLetters, tally.missing, app.state());
        minuteEnd += MINUTE_NANOS;
      }
    }
    long lastClosed = r - 1 - graceRows(settings);
    long expectedImpact = 0;
    long expectedSummaries = 0;
    for (int i = 0; i < schedule.monitors(); i++) {
      expectedImpact += 2 * schedule.reportedRows(i, lastClosed);
      expectedSummaries += schedule.summaries(i, lastClosed);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while ((tally.impact < expectedImpact || tally.summaries < expectedSummaries)
        && System.nanoTime() < deadline) {
      drain(outputs, settings, tally, 100);
    }
    // a duplicate would arrive here
    long quiet = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < quiet) {
      drain(outputs, settings, tally, 100);
    }
    tally.missing += tally.sentAt.size();
    long dlq =
        count(bootstrap, TopologySettings.dlq(settings.metricsTopic()))
            + count(bootstrap, TopologySettings.dlq(settings.interventionsTopic()));
    long expectedRows = (long) schedule.monitors() * (lastClosed + 1);
    return verdict(
        heapMiB, latency, dlq, tally, expectedImpact, expectedSummaries, closed.get(),
        expectedRows);
  }

  private static boolean verdict(
      List<Double> heapMiB,
      List<double[]> latency,
      long dlq,
      Tally tally,
      long expectedImpact,
      long expectedSummaries,
      long rowsClosed,
      long expectedRows) {
    boolean ok = true;
    if (heapMiB.isEmpty()) {
      System.out.println("FAIL: no full minute ran (cim.minutes must be >= 1)");
      return false;
    }
    int n = heapMiB.size();
    int refMinute = n >= 3 ? 2 : 1;
    double ref = heapMiB.get(refMinute - 1);
    double last = heapMiB.get(n - 1);
    double tolerance = Math.max(HEAP_TOLERANCE_BYTES / 1048576.0, HEAP_TOLERANCE_FRACTION * ref);
    boolean heapOk = last <= ref + tolerance;
    ok &= heapOk;
    System.out.printf(
        Locale.ROOT,
        "RESULT heap after GC per minute (MiB): %s; minute %d %.1f vs minute %d %.1f, tolerance"
            + " %.1f MiB; slope of the last half %+.2f MiB/min: %s%n",
        format(heapMiB), n, last, refMinute, ref, tolerance, slope(heapMiB), pass(heapOk));

    boolean dlqOk = dlq == 0;
    ok &= dlqOk;
    System.out.printf(
        Locale.ROOT, "RESULT dead letters in the DLQ topics (read_committed): %d: %s%n", dlq,
        pass(dlqOk));

    StringBuilder perMinute = new StringBuilder();
    for (int m = 0; m < latency.size(); m++) {
      double[] l = latency.get(m);
      perMinute.append(m == 0 ? "" : "; ")
          .append(String.format(Locale.ROOT, "%d: %.0f/%.0f", m + 1, l[0], l[1]));
    }
    double firstP99 = latency.get(0)[1];
    double lastP99 = latency.get(latency.size() - 1)[1];
    boolean latencyOk =
        latency.get(0)[2] > 0
            && latency.get(latency.size() - 1)[2] > 0
            && lastP99 <= P99_FACTOR * firstP99 + P99_SLACK_MS;
    ok &= latencyOk;
    System.out.printf(
        Locale.ROOT,
        "RESULT latency row close -> impact record p50/p99 ms per minute: %s; last p99 %.0f <="
            + " %.0f x first p99 %.0f + %.0f: %s%n",
        perMinute, lastP99, P99_FACTOR, firstP99, P99_SLACK_MS, pass(latencyOk));

    boolean countsOk =
        tally.impact == expectedImpact
            && tally.summaries == expectedSummaries
            && rowsClosed == expectedRows
            && tally.missing == 0
            && tally.afterEnd > 0
            && tally.persistenceSummaries > 0;
    ok &= countsOk;
    System.out.printf(
        Locale.ROOT,
        "RESULT counts: %d points sent; rows closed %d (expected %d); impact records %d"
            + " (expected %d; %d after-end); summaries %d (expected %d; %d persistence-end);"
            + " awaited impact records missing %d: %s%n",
        tally.points, rowsClosed, expectedRows, tally.impact, expectedImpact, tally.afterEnd,
        tally.summaries, expectedSummaries, tally.persistenceSummaries, tally.missing,
        pass(countsOk));
    return ok;
  }

  /**
   * Sends row {@code r} of every monitor, with the intervention events due at it first; notes when
   * the point that closes a reported row was sent. With {@code partitions > 0} the points of
   * monitor {@code i} go to partition {@code i % partitions}, else where their key hashes to.
   */
  private static void sendRow(
      KafkaProducer<byte[], byte[]> producer,
      TopologySettings settings,
      Schedule schedule,
      Tally tally,
      SplittableRandom rng,
      long r,
      int partitions) {
    long time = rowTime(r);
    long closes = r - graceRows(settings);
    for (int i = 0; i < schedule.monitors(); i++) {
      String monitor = "m" + i;
      Integer partition = partitions > 0 ? i % partitions : null;
      if (schedule.starts(i, r)) {
        event(producer, settings, monitor,
            "{\"monitor\":\"" + monitor + "\",\"id\":\"soak-" + schedule.cycleOf(i, r)
                + "\",\"action\":\"start\",\"timestamp\":" + time
                + ",\"do\":{\"" + monitor + "_b\":{\"shift\":5.0}}}");
      }
      if (schedule.ends(i, r)) {
        event(producer, settings, monitor,
            "{\"monitor\":\"" + monitor + "\",\"id\":\"soak-" + schedule.cycleOf(i, r)
                + "\",\"action\":\"end\",\"timestamp\":" + time + "}");
      }
      if (closes >= 0 && schedule.reported(i, closes)) {
        tally.sentAt.put(monitor + "@" + closes, System.nanoTime());
      }
      double[] v = values(rng, (int) r);
      for (int k = 0; k < 4; k++) {
        String series = monitor + "_" + SUFFIX[k];
        producer.send(
            new ProducerRecord<>(
                settings.metricsTopic(), partition, time + k,
                series.getBytes(StandardCharsets.UTF_8),
                point(series, time + k, v[k])));
        tally.points++;
      }
    }
  }

  private static void event(
      KafkaProducer<byte[], byte[]> producer,
      TopologySettings settings,
      String monitor,
      String json) {
    producer.send(
        new ProducerRecord<>(
            settings.interventionsTopic(), monitor.getBytes(StandardCharsets.UTF_8),
            json.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Rows between a row and the one whose first point closes it: row {@code s} closes when stream
   * time reaches its end plus the grace, {@code (s + 1) * step + grace}.
   */
  private static long graceRows(TopologySettings settings) {
    return 1 + (settings.grace().toMillis() + STEP_MS - 1) / STEP_MS;
  }

  /** Reads the impact and summary topics from the beginning, read_committed. */
  private static KafkaConsumer<byte[], byte[]> outputs(
      String bootstrap, TopologySettings settings) {
    KafkaConsumer<byte[], byte[]> c = committedConsumer(bootstrap, null, "earliest");
    List<TopicPartition> parts = new ArrayList<>();
    for (String topic : List.of(settings.impactTopic(), settings.summaryTopic())) {
      for (PartitionInfo p : c.partitionsFor(topic)) {
        parts.add(new TopicPartition(topic, p.partition()));
      }
    }
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  private static void drain(
      KafkaConsumer<byte[], byte[]> consumer, TopologySettings settings, Tally tally, long millis)
      throws Exception {
    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(millis))) {
      long received = System.nanoTime();
      JsonNode n = JSON.readTree(rec.value());
      if (rec.topic().equals(settings.summaryTopic())) {
        tally.summaries++;
        if ("persistence-end".equals(n.path("phase").asText())) {
          tally.persistenceSummaries++;
        }
        continue;
      }
      tally.impact++;
      if ("after-end".equals(n.path("phase").asText())) {
        tally.afterEnd++;
      }
      long row =
          (Instant.parse(n.get("timestamp").asText()).toEpochMilli() - T0.toEpochMilli())
              / STEP_MS;
      Long sent = tally.sentAt.remove(n.get("monitor").asText() + "@" + row);
      if (sent != null) {
        tally.minuteLatencies.add((received - sent) / 1e6);
      }
    }
  }

  /** Counts as missing, and forgets, the awaited records that are long overdue. */
  private static void pruneMissing(Tally tally) {
    long now = System.nanoTime();
    int before = tally.sentAt.size();
    tally.sentAt.values().removeIf(sent -> now - sent > MISSING_AFTER_NANOS);
    tally.missing += before - tally.sentAt.size();
  }

  /** p50, p99 and the number of samples (zeros when there are none). */
  private static double[] percentiles(List<Double> millis) {
    double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      return new double[] {0, 0, 0};
    }
    return new double[] {quantile(sorted, 0.5), quantile(sorted, 0.99), sorted.length};
  }

  /** Least-squares slope, per minute, of the last half of the samples (0 with fewer than 2). */
  private static double slope(List<Double> y) {
    int from = y.size() / 2;
    int n = y.size() - from;
    if (n < 2) {
      return 0;
    }
    double mx = 0;
    double my = 0;
    for (int i = from; i < y.size(); i++) {
      mx += i;
      my += y.get(i);
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (int i = from; i < y.size(); i++) {
      sxy += (i - mx) * (y.get(i) - my);
      sxx += (i - mx) * (i - mx);
    }
    return sxy / sxx;
  }

  private static String format(List<Double> v) {
    StringBuilder sb = new StringBuilder();
    for (double x : v) {
      sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", x));
    }
    return sb.toString();
  }

  private static String pass(boolean ok) {
    return ok ? "PASS" : "FAIL";
  }
}
