package org.causalimpact.monitor.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.causalimpact.monitor.io.InterventionEvents.InterventionEvent;
import org.causalimpact.monitor.live.TopologySettings;
import org.causalimpact.monitor.wire.InputJson;

/**
 * Writes metric points and intervention events in the JSON of DESIGN.md ("Data contracts") to the
 * input topics: points keyed by series, events keyed by monitor, each record's timestamp its event
 * time. The producer is idempotent with {@code acks=all}, so a retried send neither duplicates nor
 * reorders points of a series.
 *
 * <p>A failed send is remembered and thrown by the next call (and by {@link #flush()}), so that a
 * broken connection stops the simulator instead of silently losing points. Thread-safe as {@link
 * KafkaProducer} is.
 */
public final class PointProducer implements AutoCloseable {
  private final Producer<String, String> producer;
  private final TopologySettings settings;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final AtomicLong points = new AtomicLong();
  private final AtomicLong events = new AtomicLong();

  private PointProducer(Producer<String, String> producer, TopologySettings settings) {
    this.producer = producer;
    this.settings = settings;
  }

  /**
   * A producer with the given client settings (bootstrap servers, security) and {@code acks=all},
   * idempotence and a short linger.
   */
  public static PointProducer create(Map<String, Object> clientConfig, TopologySettings settings) {
    Map<String, Object> c = new HashMap<>(clientConfig);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    c.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "causal-impact-monitor-simulator");
    return new PointProducer(
        new KafkaProducer<>(c, new StringSerializer(), new StringSerializer()), settings);
  }

  /** Sends through {@code producer} (a {@code MockProducer} in tests); closing closes it. */
  static PointProducer wrap(Producer<String, String> producer, TopologySettings settings) {
    return new PointProducer(producer, settings);
  }

  /** {@code {"series": s, "timestamp": ISO-8601, "value": v}}. */
  public static String pointJson(String series, Instant time, double value) {
    return InputJson.text(new InputJson.Point(series, time.toString(), value));
  }

  /**
   * A start event: {@code {"monitor", "id", "action": "start", "timestamp", "do", "outcomes"}}
   * (the event's own end, if any, is sent as a separate end event).
   */
  public static String startJson(String monitor, InterventionEvent e) {
    return InputJson.text(
        new InputJson.Event(
            monitor, e.id(), "start", e.timestamp().toString(), e.actions(), e.outcomes()));
  }

  /** {@code {"monitor", "id", "action": "end", "timestamp"}}. */
  public static String endJson(String monitor, String id, Instant time) {
    return InputJson.text(new InputJson.Event(monitor, id, "end", time.toString(), null, null));
  }

  /** Sends one metric point to the metrics topic. */
  public void point(String series, Instant time, double value) {
    send(settings.metricsTopic(), series, pointJson(series, time, value), time);
    points.incrementAndGet();
  }

  /** Sends the start event of {@code e} for {@code monitor} at the event's timestamp. */
  public void start(String monitor, InterventionEvent e) {
    send(settings.interventionsTopic(), monitor, startJson(monitor, e), e.timestamp());
    events.incrementAndGet();
  }

  /** Sends the end event of intervention {@code id} of {@code monitor} at {@code time}. */
  public void end(String monitor, String id, Instant time) {
    send(settings.interventionsTopic(), monitor, endJson(monitor, id, time), time);
    events.incrementAndGet();
  }

  private void send(String topic, String key, String value, Instant time) {
    rethrow();
    producer.send(
        new ProducerRecord<>(topic, null, time.toEpochMilli(), key, value),
        (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
  }

  private void rethrow() {
    Exception e = failure.get();
    if (e != null) {
      throw new IllegalStateException("sending to Kafka failed: " + e.getMessage(), e);
    }
  }

  /** Waits until everything sent is acknowledged. */
  public void flush() {
    producer.flush();
    rethrow();
  }

  /** Metric points sent so far. */
  public long points() {
    return points.get();
  }

  /** Intervention events sent so far. */
  public long events() {
    return events.get();
  }

  /** Sends what is buffered (waiting at most 10 s) and closes the producer. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
