package org.causalimpact.monitor.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.scm.TimeSeriesTable;

/**
 * The test's producer of metric points and intervention events ({@code acks=all}, idempotent, so
 * that retries across a failover neither lose nor repeat a record). It remembers every metric
 * record it sent, and which of them the monitor must turn into dead letters. Not thread-safe.
 */
final class InputFeed implements AutoCloseable {
  /** A metric record the monitor cannot use: the reason its dead letter must give, and the value. */
  record Unusable(String reason, String value) {}

  private final TopologySettings settings;
  private final KafkaProducer<String, String> producer;
  private final List<String> sent = new ArrayList<>();
  private final List<Unusable> unusable = new ArrayList<>();
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

  InputFeed(String bootstrapServers, TopologySettings settings) {
    this.settings = settings;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "90000");
    producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  /** A point of {@code series} at {@code time} (ms), as the monitor reads it. */
  Future<RecordMetadata> point(String series, long time, double value) {
    return metric(
        series,
        time,
        "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
            + "\",\"value\":" + value + "}");
  }

  /**
   * Rows {@code [from, to)} of every column of {@code t}, row {@code r} at {@code r * stepMillis}
   * (each series a second after the one before).
   *
   * @return the acknowledgement of the first point sent
   */
  Future<RecordMetadata> rows(TimeSeriesTable t, int from, int to, long stepMillis) {
    if (from >= to) {
      throw new IllegalArgumentException("no rows in [" + from + ", " + to + ")");
    }
    Future<RecordMetadata> first = null;
    for (int r = from; r < to; r++) {
      for (String series : t.columns()) {
        Future<RecordMetadata> f =
            point(series, r * stepMillis + 1000L * t.columnIndex(series), t.value(series, r));
        first = first == null ? f : first;
      }
    }
    return first;
  }

  /**
   * Waits until this producer knows a leader for every partition of the metrics topic and the
   * cluster has acknowledged one record: a warm-up record the monitor must dead-letter as {@code
   * malformed-json}, accounted for like the other unusable records. Right after a cluster starts,
   * a first batch sent before then could wait for metadata and expire unacknowledged.
   *
   * @return how long it took
   * @throws AssertionError if either does not happen within {@code timeout}
   */
  Duration warmUp(Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String topic = settings.metricsTopic();
    List<PartitionInfo> partitions = producer.partitionsFor(topic);
    while (partitions.isEmpty()
        || partitions.stream().anyMatch(i -> i.leader() == null || i.leader().isEmpty())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no leader for every partition of " + topic + " after " + timeout
            + ": " + partitions);
      }
      Thread.sleep(100);
      partitions = producer.partitionsFor(topic);
    }
    String value = "warm-up, not a metric point";
    Future<RecordMetadata> ack = metric(null, 0L, value);
    unusable.add(new Unusable("malformed-json", value));
    try {
      ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the warm-up record was not acknowledged within " + timeout, e);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** A point of a step already closed, which the monitor must dead-letter as {@code late}. */
  void latePoint(String series, long time, double value) {
    point(series, time, value);
    unusable.add(new Unusable("late", sent.get(sent.size() - 1)));
  }

  /** A metric record (at {@code time} ms) the monitor must dead-letter with {@code reason}. */
  void unusable(String reason, long time, String value) {
    metric(null, time, value);
    unusable.add(new Unusable(reason, value));
  }

  private Future<RecordMetadata> metric(String key, long time, String value) {
    sent.add(value);
    return producer.send(
        new ProducerRecord<>(settings.metricsTopic(), null, time, key, value),
        (meta, error) -> {
          if (error != null) {
            failures.add(error + " for " + value);
          }
        });
  }

  /** An intervention event (start or end) of {@code monitor}. */
  void intervention(String monitor, long time, String json) {
    producer.send(new ProducerRecord<>(settings.interventionsTopic(), null, time, monitor, json));
  }

  /**
   * Waits until every record sent so far is acknowledged.
   *
   * @throws AssertionError if any send failed (a record "sent" that the broker never took would
   *     otherwise look like a record the cluster lost)
   */
  void flush() {
    producer.flush();
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size() + " metric record(s) were not acknowledged, first: " + failures.get(0));
    }
  }

  /** Every metric record value sent, in order. */
  List<String> sent() {
    return List.copyOf(sent);
  }

  /** The metric records sent that the monitor must dead-letter. */
  List<Unusable> unusable() {
    return List.copyOf(unusable);
  }

  @Override
  public void close() {
    producer.close();
  }
}
