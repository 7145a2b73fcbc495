package org.causalimpact.monitor.fault;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.live.TopologySettings;

/**
 * The test's producer ({@code acks=all}, idempotent: retries through a broker restart neither lose
 * nor repeat a record) of a {@link Fleet}'s points and campaigns. It keeps the books: every metric
 * record value sent, and which of them the monitor must dead-letter, with what reason. Sends go
 * to the monitor's partition; a send that is never acknowledged fails {@link #flush()}. Not
 * thread-safe.
 */
final class Feed implements AutoCloseable {
  /** A metric record the monitor cannot use: the reason its dead letter must give, and the value. */
  record Bad(String reason, String value) {}

  /**
   * The books of a feed.
   *
   * @param sent every metric record value sent, in order
   * @param bad the metric records among them that the monitor must dead-letter
   */
  record Books(List<String> sent, List<Bad> bad) {}

  private final TopologySettings settings;
  private final KafkaProducer<String, String> producer;
  private final List<String> sent = new ArrayList<>();
  private final List<Bad> bad = new ArrayList<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  /** A producer whose sends wait up to {@code 2 min} for the broker (through a restart). */
  Feed(String bootstrapServers, TopologySettings settings) {
    this.settings = settings;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(2).toMillis(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofMinutes(2).toMillis()),
            new StringSerializer(),
            new StringSerializer());
  }

  /** Rows {@code [from, to)} of a monitor: x at the row's time, y a second later. */
  void rows(Fleet.Member m, int from, int to) {
    for (int r = from; r < to; r++) {
      point(m, m.x(), r, m.table().value(m.x(), r));
      point(m, m.y(), r, m.table().value(m.y(), r));
    }
  }

  /** Rows {@code [from, to)} of every monitor, monitor after monitor. */
  void rows(Fleet fleet, int from, int to) {
    fleet.members().forEach(m -> rows(m, from, to));
  }

  /** A point of {@code series} (x or y of {@code m}) in row {@code row}. */
  void point(Fleet.Member m, String series, int row, double value) {
    long time = time(m, row) + (series.equals(m.y()) ? 1000 : 0);
    metric(m, time, series, point(series, time, value));
  }

  /** The campaign's start at row {@value Fleet#START}. */
  void start(Fleet.Member m) {
    event(
        m,
        Fleet.START,
        "{\"id\":\"campaign\",\"timestamp\":" + time(m, Fleet.START) + ",\"do\":{\""
            + m.x() + "\":{\"shift\":5.0}},\"outcomes\":[\"" + m.y() + "\"]}");
  }

  /**
   * The campaign's end at row {@value Fleet#ROWS}, and the point of that row that closes the last
   * row of the campaign (it stays in an open cell: the one point used but not in a closed row).
   */
  void end(Fleet.Member m) {
    event(
        m,
        Fleet.ROWS,
        "{\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":" + time(m, Fleet.ROWS) + "}");
    point(m, m.x(), Fleet.ROWS, 20.0);
  }

  /**
   * Unusable records in {@code m}'s partition at {@code row}: malformed JSON twice and a series no
   * monitor has.
   */
  void bad(Fleet.Member m, int row) {
    unusable(m, "malformed-json", time(m, row), "{\"series\":\"" + m.x() + "\",\"timestamp\":");
    unusable(m, "malformed-json", time(m, row), "not json at all, row " + row);
    unusable(m, "unknown-series", time(m, row), point("z", time(m, row), row));
  }

  /** A point of row {@code row}, already closed: the monitor must dead-letter it as late. */
  void late(Fleet.Member m, int row) {
    point(m, m.x(), row, m.table().value(m.x(), row));
    bad.add(new Bad("late", sent.get(sent.size() - 1)));
  }

  private void unusable(Fleet.Member m, String reason, long time, String value) {
    metric(m, time, null, value);
    bad.add(new Bad(reason, value));
  }

  private static String point(String series, long time, double value) {
    return "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
        + "\",\"value\":" + value + "}";
  }

  private static long time(Fleet.Member m, int row) {
    return row * m.definition().step().toMillis();
  }

  private void metric(Fleet.Member m, long time, String key, String value) {
    sent.add(value);
    producer.send(
        new ProducerRecord<>(settings.metricsTopic(), m.partition(), time, key, value),
        (meta, error) -> {
          if (error != null) {
            failures.add(error + " for " + value);
          }
        });
  }

  private void event(Fleet.Member m, int row, String json) {
    producer.send(
        new ProducerRecord<>(
            settings.interventionsTopic(), m.partition(), time(m, row), m.name(), json),
        (meta, error) -> {
          if (error != null) {
            failures.add(error + " for " + json);
          }
        });
  }

  /**
   * Waits until every record sent so far is acknowledged.
   *
   * @throws AssertionError if a send failed: a record the broker never took would otherwise look
   *     like one the monitor lost
   */
  void flush() {
    producer.flush();
    if (!failures.isEmpty()) {
      throw new AssertionError(
          failures.size() + " record(s) were not acknowledged, first: " + failures.get(0));
    }
  }

  /** What was sent so far. */
  Books books() {
    return new Books(List.copyOf(sent), List.copyOf(bad));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
